"""Length of service, counted the way a person counts it."""

import datetime as dt

import pytest

from employment_records.selectors import ServiceLength, service_length


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (dt.date(2014, 9, 1), dt.date(2026, 11, 28), ServiceLength(12, 2, 27)),
        (dt.date(2014, 9, 1), dt.date(2014, 9, 1), ServiceLength(0, 0, 0)),
        (dt.date(2020, 1, 15), dt.date(2021, 1, 14), ServiceLength(0, 11, 30)),
        (dt.date(2020, 1, 15), dt.date(2021, 1, 15), ServiceLength(1, 0, 0)),
        (dt.date(2019, 12, 20), dt.date(2020, 3, 5), ServiceLength(0, 2, 14)),
    ],
)
def test_service_length_in_years_months_and_days(start, end, expected):
    assert service_length(start, end) == expected

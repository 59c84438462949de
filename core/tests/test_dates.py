import datetime as dt

import pytest
from django import forms
from django.utils import translation

from core.dates import DualCalendarDateField, format_gregorian, format_hijri


def test_hijri_and_gregorian_in_arabic():
    with translation.override("ar"):
        assert format_hijri(dt.date(2026, 11, 28)) == "18 جمادى الآخرة 1448 هـ"
        assert format_gregorian(dt.date(2026, 11, 28)) == "28 نوفمبر 2026م"


def test_hijri_and_gregorian_in_english():
    with translation.override("en"):
        assert format_hijri(dt.date(2026, 11, 28)) == "18 Jumada al-Akhirah 1448 AH"
        assert format_gregorian(dt.date(2026, 11, 28)) == "28 November 2026"


def test_a_utc_time_late_at_night_is_the_next_day_in_riyadh():
    late = dt.datetime(2026, 11, 27, 22, 30, tzinfo=dt.UTC)  # 01:30 on the 28th in Riyadh
    with translation.override("en"):
        assert format_gregorian(late) == "28 November 2026"


def test_dates_outside_the_umm_al_qura_table_show_no_hijri():
    assert format_hijri(dt.date(1900, 1, 1)) == ""


class BirthForm(forms.Form):
    born = DualCalendarDateField(max_date=dt.date(2026, 11, 28))


@pytest.mark.parametrize(
    ("calendar", "typed", "expected"),
    [
        ("hijri", "1410-08-18", dt.date(1990, 3, 15)),
        ("hijri", "١٤١٠-٠٨-١٨", dt.date(1990, 3, 15)),
        ("hijri", "18/08/1410", dt.date(1990, 3, 15)),
        ("gregorian", "1990-03-15", dt.date(1990, 3, 15)),
    ],
)
def test_dual_calendar_field_converts_to_gregorian(calendar, typed, expected):
    form = BirthForm(data={"born_calendar": calendar, "born_date": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["born"] == expected


@pytest.mark.parametrize(
    ("calendar", "typed"),
    [
        ("hijri", "1410-13-01"),
        ("gregorian", "1990-02-30"),
        ("gregorian", "15 March"),
        ("gregorian", "2030-01-01"),
    ],
)
def test_dual_calendar_field_refuses_bad_dates_with_a_message(calendar, typed):
    form = BirthForm(data={"born_calendar": calendar, "born_date": typed})
    assert not form.is_valid()
    assert form.errors["born"]


def test_a_gregorian_date_asked_for_in_english_is_english_whatever_the_active_language():
    import datetime as dt

    from django.utils import translation

    from core.dates import format_gregorian

    with translation.override("ar"):
        assert format_gregorian(dt.date(2023, 3, 12), "en") == "12 March 2023"
        assert format_gregorian(dt.date(2023, 3, 12)) == "12 مارس 2023م"
    with translation.override("en"):
        assert format_gregorian(dt.date(2023, 3, 12), "ar") == "12 مارس 2023م"

"""The period computation: worked examples across leaves, absences, suspensions and transfers,
and properties that hold for any record (hypothesis)."""

import datetime as dt

from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from bayan.periods import (
    Exclusion,
    RecordEntry,
    Totals,
    compute_periods,
    days_from_notes,
    format_totals,
    gregorian_length,
    hijri_length,
    normalise,
)
from employment_records.models import ActionType as A
from employment_records.selectors import service_length

D = dt.date


def test_a_plain_career_is_one_counted_period_per_post():
    result = compute_periods(
        hire_date=D(2000, 1, 1),
        end_date=D(2009, 12, 31),
        entries=[
            RecordEntry(A.APPOINTMENT, D(2000, 1, 1), decision_number="1", rank=5),
            RecordEntry(A.LEAVE_ORDINARY, D(2001, 5, 1), days=30),
            RecordEntry(A.TRANSFER, D(2005, 1, 1), decision_number="2", rank=5),
            RecordEntry(A.PROMOTION, D(2007, 7, 1), decision_number="3", rank=6),
        ],
    )
    assert [(p.start, p.end, p.kind, p.rank) for p in result.periods] == [
        (D(2000, 1, 1), D(2004, 12, 31), A.APPOINTMENT, 5),
        (D(2005, 1, 1), D(2007, 6, 30), A.TRANSFER, 5),
        (D(2007, 7, 1), D(2009, 12, 31), A.PROMOTION, 6),
    ]
    assert result.excluded_days == 0
    assert result.gregorian == Totals(10, 0, 0)
    assert result.counted_days == result.span_days == 3653


def test_exceptional_leave_and_penalised_suspension_do_not_count_but_secondment_does():
    result = compute_periods(
        hire_date=D(2010, 1, 1),
        end_date=D(2019, 12, 31),
        entries=[
            RecordEntry(A.APPOINTMENT, D(2010, 1, 1), decision_number="1", rank=6),
            RecordEntry(A.LEAVE_EXCEPTIONAL, D(2012, 3, 1), days=31, decision_number="2"),
            RecordEntry(A.SECONDMENT, D(2014, 1, 1), decision_number="3", rank=6),
            RecordEntry(A.SUSPENSION, D(2016, 1, 1), decision_number="4"),
            RecordEntry(A.DISCIPLINARY_PENALTY, D(2016, 2, 15), decision_number="5"),
            RecordEntry(A.REINSTATEMENT, D(2016, 3, 1), decision_number="6", rank=6),
            RecordEntry("absence", D(2018, 6, 1), days=10, decision_number="7"),
        ],
    )
    excluded = [(p.start, p.end, p.kind) for p in result.periods if not p.counts]
    assert excluded == [
        (D(2012, 3, 1), D(2012, 3, 31), Exclusion.EXCEPTIONAL_LEAVE),
        (D(2016, 1, 1), D(2016, 2, 29), Exclusion.SUSPENSION),
        (D(2018, 6, 1), D(2018, 6, 10), Exclusion.ABSENCE),
    ]
    assert result.excluded_days == 31 + 60 + 10
    assert result.counted_days + result.excluded_days == result.span_days
    counted = [p for p in result.periods if p.counts]
    assert [p.kind for p in counted] == [
        A.APPOINTMENT,
        A.APPOINTMENT,
        A.SECONDMENT,
        A.REINSTATEMENT,
        A.REINSTATEMENT,
    ]
    # 2y2m + 1y9m + 2y + 2y3m + 1y6m21d, carried: ten years less three months and ten days.
    assert result.gregorian == Totals(9, 8, 21)


def test_a_suspension_without_penalty_counts():
    result = compute_periods(
        hire_date=D(2010, 1, 1),
        end_date=D(2012, 12, 31),
        entries=[
            RecordEntry(A.SUSPENSION, D(2011, 1, 1)),
            RecordEntry(A.REINSTATEMENT, D(2011, 3, 1)),
        ],
    )
    assert result.excluded_days == 0


def test_time_out_of_service_between_resignation_and_reinstatement_does_not_count():
    result = compute_periods(
        hire_date=D(2000, 1, 1),
        end_date=D(2005, 12, 31),
        entries=[
            RecordEntry(A.RESIGNATION, D(2002, 6, 30)),
            RecordEntry(A.REINSTATEMENT, D(2003, 1, 1)),
        ],
    )
    excluded = [p for p in result.periods if not p.counts]
    assert [(p.start, p.end, p.kind) for p in excluded] == [
        (D(2002, 7, 1), D(2002, 12, 31), Exclusion.OUT_OF_SERVICE)
    ]
    assert result.gregorian == Totals(5, 6, 0)


def test_a_leave_without_a_length_is_a_warning_not_a_guess():
    result = compute_periods(
        hire_date=D(2000, 1, 1),
        end_date=D(2000, 12, 31),
        entries=[RecordEntry(A.LEAVE_EXCEPTIONAL, D(2000, 5, 1), decision_number="9")],
    )
    assert result.excluded_days == 0
    assert result.warnings == ("exceptional_leave:2000-05-01:9",)


def test_entries_outside_the_span_are_clipped():
    result = compute_periods(
        hire_date=D(2000, 1, 10),
        end_date=D(2000, 1, 20),
        entries=[
            RecordEntry(A.LEAVE_EXCEPTIONAL, D(2000, 1, 1), days=15),
            RecordEntry(A.LEAVE_EXCEPTIONAL, D(2000, 1, 19), days=30),
        ],
    )
    assert [(p.start, p.end, p.counts) for p in result.periods] == [
        (D(2000, 1, 10), D(2000, 1, 15), False),
        (D(2000, 1, 16), D(2000, 1, 18), True),
        (D(2000, 1, 19), D(2000, 1, 20), False),
    ]


def test_the_length_of_a_leave_is_read_from_the_notes():
    assert days_from_notes("المدة 30 يوماً") == 30
    assert days_from_notes("المدة ١٥ يوما") == 15
    assert days_from_notes("leave for 5 days") == 5
    assert days_from_notes("تكليف بمهام إضافية") is None


def test_hijri_totals_count_lunar_months():
    # 1 Muharram 1445 .. 29 Dhu al-Hijjah 1445 is one Hijri year, 355 days, not a Gregorian one.
    assert hijri_length(D(2023, 7, 19), D(2024, 7, 6)) == Totals(1, 0, 0)
    assert gregorian_length(D(2023, 7, 19), D(2024, 7, 6)) == Totals(0, 11, 18)


def test_totals_are_written_in_words_with_arabic_plurals():
    with translation.override("en"):
        assert format_totals(Totals(12, 1, 5)) == "12 years, 1 month and 5 days"
    with translation.override("ar"):
        text = format_totals(Totals(12, 2, 5))
        assert "12 سنة" in text and "شهران" in text and "5 أيام" in text


# --- properties ----------------------------------------------------------------------------

dates = st.dates(min_value=D(1950, 1, 1), max_value=D(2070, 12, 31))
KINDS = [
    A.APPOINTMENT,
    A.TRANSFER,
    A.SECONDMENT,
    A.ASSIGNMENT,
    A.PROMOTION,
    A.LEAVE_ORDINARY,
    A.LEAVE_SICK,
    A.LEAVE_EXCEPTIONAL,
    A.SUSPENSION,
    A.DISCIPLINARY_PENALTY,
    A.REINSTATEMENT,
    A.RESIGNATION,
    "absence",
]


@st.composite
def records(draw):
    hire = draw(dates)
    end = draw(
        st.dates(min_value=hire, max_value=min(hire + dt.timedelta(days=45 * 365), D(2070, 12, 31)))
    )
    span = (end - hire).days
    entries = []
    for _ in range(draw(st.integers(0, 12))):
        offset = draw(st.integers(-60, span + 60))
        entries.append(
            RecordEntry(
                draw(st.sampled_from(KINDS)),
                hire + dt.timedelta(days=offset),
                days=draw(st.one_of(st.none(), st.integers(0, 800))),
                decision_number=str(draw(st.integers(1, 5))),
                rank=draw(st.one_of(st.none(), st.integers(1, 15))),
            )
        )
    return hire, end, entries


@settings(max_examples=300, deadline=None)
@given(records())
def test_counted_plus_excluded_days_is_the_whole_span(record):
    hire, end, entries = record
    result = compute_periods(hire_date=hire, end_date=end, entries=entries)
    assert result.counted_days + result.excluded_days == (end - hire).days + 1
    # The periods tile the span: no gap, no overlap, in order.
    assert result.periods[0].start == hire and result.periods[-1].end == end
    for before, after in zip(result.periods, result.periods[1:], strict=False):
        assert before.end + dt.timedelta(days=1) == after.start
        assert before.start <= before.end


@settings(max_examples=300, deadline=None)
@given(records())
def test_totals_in_years_months_and_days_are_consistent(record):
    hire, end, entries = record
    result = compute_periods(hire_date=hire, end_date=end, entries=entries)
    counted = [p for p in result.periods if p.counts]
    for totals in (result.gregorian, result.hijri):
        assert 0 <= totals.months < 12 and 0 <= totals.days < 30
    # A year/month/day total never drifts from the day count by more than a few days a period.
    g = result.gregorian
    assert (
        abs(g.years * 365.25 + g.months * 30.44 + g.days - result.counted_days)
        <= 4 * len(counted) + 1
    )
    h = result.hijri
    assert (
        abs(h.years * 354.37 + h.months * 29.53 + h.days - result.counted_days)
        <= 4 * len(counted) + 1
    )


@settings(max_examples=200, deadline=None)
@given(dates, st.integers(0, 45 * 365))
def test_a_record_without_exclusions_totals_its_length_of_service(hire, length):
    end = min(hire + dt.timedelta(days=length), D(2070, 12, 31))
    result = compute_periods(hire_date=hire, end_date=end, entries=[])
    whole = service_length(hire, end + dt.timedelta(days=1))
    assert result.gregorian == normalise(whole.years, whole.months, whole.days)
    assert result.excluded_days == 0


@settings(max_examples=200, deadline=None)
@given(records(), dates, st.integers(1, 400))
def test_an_extra_exceptional_leave_never_adds_service(record, start, days):
    hire, end, entries = record
    before = compute_periods(hire_date=hire, end_date=end, entries=entries)
    after = compute_periods(
        hire_date=hire,
        end_date=end,
        entries=[*entries, RecordEntry(A.LEAVE_EXCEPTIONAL, start, days=days)],
    )
    assert after.counted_days <= before.counted_days

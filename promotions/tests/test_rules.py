"""The eligibility rules at their boundaries (pure: no database)."""

import datetime as dt
from decimal import Decimal

import pytest
from hijridate import Gregorian

from promotions import rules
from promotions.rules import Facts, Period, RoundRules, Source

REF = dt.date(2026, 12, 1)


def facts(**overrides) -> Facts:
    base = dict(
        employee_id=1,
        national_id="1000000008",
        in_service=True,
        nationality="SA",
        rank=8,
        rank_since=dt.date(2020, 1, 1),
        rank_source=Source("1441/123", dt.date(2019, 12, 20)),
        hire_date=dt.date(2010, 1, 1),
        evaluation_year=1447,
        evaluation_score=Decimal("91.50"),
        evaluation_rating="excellent",
        qualification="bachelor",
    )
    base.update(overrides)
    return Facts(**base)


def verdicts(f: Facts, **round_kwargs) -> dict[str, bool]:
    params = dict(target_rank=9, reference_date=REF, min_years=4, min_qualification="bachelor")
    params.update(round_kwargs)
    return {r.rule: r.passed for r in rules.evaluate(f, RoundRules(**params))}


def test_a_person_meeting_everything_passes_every_rule():
    assert all(verdicts(facts()).values())
    assert rules.first_failed(rules.evaluate(facts(), RoundRules(9, REF))) == ""


@pytest.mark.parametrize(
    ("overrides", "failed"),
    [
        ({"in_service": False}, "in_service"),
        ({"nationality": "EG"}, "saudi"),
        ({"rank": 7}, "rank"),
        ({"rank": 9}, "rank"),
        ({"rank_since": None}, "time_in_rank"),
        ({"evaluation_rating": "unsatisfactory"}, "performance"),
        ({"evaluation_rating": None, "evaluation_year": None}, "performance"),
        ({"qualification": "diploma"}, "qualification"),
        ({"qualification": None}, "qualification"),
    ],
)
def test_each_rule_fails_alone(overrides, failed):
    result = verdicts(facts(**overrides))
    assert [rule for rule, ok in result.items() if not ok] == [failed]


def _anniversary(start: dt.date, years: int) -> dt.date:
    hijri = Gregorian(start.year, start.month, start.day).to_hijri()
    return type(hijri)(hijri.year + years, hijri.month, hijri.day).to_gregorian()


def test_four_hijri_years_in_rank_is_enough_and_one_day_less_is_not():
    since = dt.date(2022, 8, 10)
    reached = _anniversary(since, 4)
    assert verdicts(facts(rank_since=since), reference_date=reached)["time_in_rank"]
    day_before = reached - dt.timedelta(days=1)
    assert not verdicts(facts(rank_since=since), reference_date=day_before)["time_in_rank"]


@pytest.mark.parametrize("kind", ["leave_exceptional", "unexcused_absence", "suspension"])
def test_each_excluded_period_pushes_the_date_by_its_days(kind):
    since = dt.date(2021, 3, 1)
    reached = _anniversary(since, 4)
    period = Period(kind, dt.date(2022, 5, 1), dt.date(2022, 5, 10), Source("X/1", None))
    with_period = facts(rank_since=since, periods=(period,))
    assert not verdicts(with_period, reference_date=reached)["time_in_rank"]
    assert not verdicts(with_period, reference_date=reached + dt.timedelta(days=9))["time_in_rank"]
    assert verdicts(with_period, reference_date=reached + dt.timedelta(days=10))["time_in_rank"]
    result = rules.evaluate(with_period, RoundRules(9, reached, 4))[3]
    assert result.values["excluded_days"] == 10
    assert result.values["periods"][0]["number"] == "X/1"


def test_overlapping_periods_count_once_and_only_inside_the_rank():
    since = dt.date(2021, 3, 1)
    periods = (
        Period("leave_exceptional", dt.date(2021, 2, 20), dt.date(2021, 3, 5), Source("a", None)),
        Period("unexcused_absence", dt.date(2021, 3, 4), dt.date(2021, 3, 6), Source("b", None)),
        Period("suspension", dt.date(2026, 11, 30), dt.date(2027, 1, 30), Source("c", None)),
    )
    # 1-6 March (6 days) + 30 November (the reference date itself is not counted).
    assert rules.excluded_days(periods, start=since, end=REF) == 6 + 1


def test_a_leap_day_inside_an_excluded_period_is_counted():
    period = Period(
        "leave_exceptional", dt.date(2024, 2, 28), dt.date(2024, 3, 1), Source("", None)
    )
    assert rules.excluded_days((period,), start=dt.date(2020, 1, 1), end=REF) == 3


def test_hijri_day_30_becomes_day_29_in_a_short_month():
    from hijridate import Hijri

    # 30 Ramadan 1445 exists; in 1449 Ramadan has 29 days.
    start = Hijri(1445, 9, 30).to_gregorian()
    target = rules.add_hijri_years(start, 4)
    hijri = Gregorian(target.year, target.month, target.day).to_hijri()
    assert (hijri.year, hijri.month) == (1449, 9)
    assert hijri.day in (29, 30)


def test_the_gregorian_fallback_handles_29_february():
    assert rules.add_hijri_years(dt.date(2096, 2, 29), 1) == dt.date(2097, 2, 28)


def test_explanations_are_plain_words_in_both_languages():
    from django.utils import translation

    result = rules.evaluate(facts(evaluation_rating="unsatisfactory"), RoundRules(9, REF, 4))
    performance = result[4].as_json()
    with translation.override("en"):
        assert "unsatisfactory rating excludes you" in rules.explain(performance)
        assert "minimum is reached on" in rules.explain(result[3].as_json())
    with translation.override("ar"):
        assert rules.explain(performance) != ""


def test_every_round_step_writes_a_registered_audit_action():
    from promotions.audit import PromotionAction
    from promotions.workflow import ROUND_WORKFLOW

    for name in ROUND_WORKFLOW.transitions:
        assert f"promotion_round.{name}" in PromotionAction.values

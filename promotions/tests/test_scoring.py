"""Scoring and serial assignment (pure), with property-based tests of the assignment."""

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from promotions import scoring
from promotions.models import default_formula
from promotions.rules import Facts, Source, Training, Volunteering
from promotions.scoring import Candidate, RoundScoring, assign, deciding_rule, seniority_points

REF = dt.date(2026, 12, 1)
WEIGHTS = {
    "performance": 40,
    "training": 20,
    "education": 10,
    "seniority": 10,
    "volunteering": 10,
    "other": 10,
}


def params(**kw):
    base = dict(
        reference_date=REF, weights=WEIGHTS, formula=default_formula(), min_qualification="bachelor"
    )
    base.update(kw)
    return RoundScoring(**base)


def facts(**overrides):
    base = dict(
        employee_id=1,
        national_id="1000000008",
        in_service=True,
        nationality="SA",
        rank=8,
        rank_since=dt.date(2018, 1, 1),
        rank_source=Source("1439/1", dt.date(2017, 12, 20)),
        hire_date=dt.date(2010, 1, 1),
        evaluation_year=1447,
        evaluation_score=Decimal("90.00"),
        evaluation_rating="excellent",
        qualification="master",
        training=(
            Training(60, dt.date(2024, 5, 1), Source("T/1", dt.date(2024, 4, 1))),
            Training(500, dt.date(2015, 5, 1), Source("T/old", dt.date(2015, 4, 1))),
        ),
        volunteering=(Volunteering(50, dt.date(2025, 1, 1), Source("V/1", None)),),
        other_points=70,
        other_reason="Excellence award",
    )
    base.update(overrides)
    return Facts(**base)


def test_the_seniority_table_is_the_historic_scale():
    bands = default_formula()["seniority_bands"]
    assert seniority_points(Decimal(3), bands) == Decimal("3.00")
    assert seniority_points(Decimal(4), bands) == Decimal("4.00")
    assert seniority_points(Decimal(6), bands) == Decimal("7.00")
    assert seniority_points(Decimal(10), bands) == Decimal("14.00")
    assert seniority_points(Decimal(12), bands) == Decimal("18.00")
    assert seniority_points(Decimal(30), bands) == Decimal("18.00")  # capped


def test_each_criterion_maps_to_0_100_and_is_weighted():
    result = scoring.score(facts(), params())
    c = result["criteria"]
    assert c["performance"]["points"] == "90.00"
    assert c["training"]["raw"] == "60"  # the 2015 course is outside the last five years
    assert c["training"]["points"] == "30.00"
    assert c["training"]["sources"][0]["number"] == "T/1"
    assert c["education"]["points"] == "80.00"  # master = bachelor + one level
    assert c["volunteering"]["points"] == "50.00"
    assert c["other"]["points"] == "70.00"
    expected = (
        Decimal("36.00")  # 90 * 40%
        + Decimal("6.00")  # 30 * 20%
        + Decimal("8.00")
        + Decimal(c["seniority"]["weighted"])
        + Decimal("5.00")
        + Decimal("7.00")
    )
    assert result["total"] == expected


def test_scoring_is_deterministic():
    assert scoring.score(facts(), params()) == scoring.score(facts(), params())


def _c(emp, total, perf=50, days=1000, hired=dt.date(2010, 1, 1), nid=None):
    return Candidate(emp, Decimal(total), Decimal(perf), days, hired, nid or f"1{emp:09d}")


ORDER = ["performance", "seniority", "hire_date", "national_id"]


def test_every_tie_break_step_decides_in_turn():
    assert deciding_rule(_c(1, 80), _c(2, 79), ORDER) == ""
    assert deciding_rule(_c(1, 80, perf=90), _c(2, 80, perf=85), ORDER) == "performance"
    assert deciding_rule(_c(1, 80, days=900), _c(2, 80, days=800), ORDER) == "seniority"
    early = _c(1, 80, hired=dt.date(2009, 1, 1))
    assert deciding_rule(early, _c(2, 80), ORDER) == "hire_date"
    assert deciding_rule(_c(1, 80), _c(2, 80), ORDER) == "national_id"
    ranked = scoring.rank_candidates([_c(2, 80), _c(1, 80, days=2000), _c(3, 81)], ORDER)
    assert [c.employee_id for c in ranked] == [3, 1, 2]


def test_a_different_published_order_changes_the_result():
    a, b = _c(1, 80, perf=90, days=100), _c(2, 80, perf=60, days=900)
    assert scoring.rank_candidates([a, b], ORDER)[0] == a
    assert scoring.rank_candidates([a, b], ["seniority", "performance"])[0] == b


def test_serial_assignment_gives_each_the_highest_free_preference():
    cands = [_c(1, 90), _c(2, 80), _c(3, 70), _c(4, 60)]
    prefs = {1: [10, 11], 2: [10, 12], 3: [10, 12], 4: []}
    out = {a.employee_id: a for a in assign(cands, prefs, ORDER)}
    assert (out[1].offered_id, out[1].preference) == (10, 1)
    assert (out[2].offered_id, out[2].preference) == (12, 2)
    assert out[3].offered_id is None and out[3].outcome == "all_taken"
    assert out[4].outcome == "no_preferences"
    assert [out[e].place for e in (1, 2, 3, 4)] == [1, 2, 3, 4]


def test_a_position_the_person_is_not_qualified_for_is_skipped():
    out = assign([_c(1, 90)], {1: [10, 11]}, ORDER, allowed={1: {11}})
    assert out[0].offered_id == 11 and out[0].preference == 2


candidates_strategy = st.lists(
    st.tuples(
        st.integers(0, 20),  # total (few values: many ties)
        st.integers(0, 5),
        st.integers(0, 3),
        st.integers(0, 3),
        st.lists(st.integers(1, 8), max_size=5, unique=True),
    ),
    max_size=25,
)


def _build(data):
    cands, prefs = [], {}
    for emp, (total, perf, days, hired, wanted) in enumerate(data, start=1):
        cands.append(_c(emp, total, perf, days, dt.date(2000 + hired, 1, 1)))
        prefs[emp] = wanted
    return cands, prefs


@settings(max_examples=200, deadline=None)
@given(candidates_strategy)
def test_assignment_properties(data):
    cands, prefs = _build(data)
    out = assign(cands, prefs, ORDER)
    positions = [a.offered_id for a in out if a.offered_id is not None]
    assert len(positions) == len(set(positions))  # never a position twice
    assert len({a.employee_id for a in out}) == len(out) == len(cands)  # never a person twice
    by_emp = {a.employee_id: a for a in out}
    # Nobody placed higher is skipped for a preference a lower-placed person received: what
    # a lower person got was either not wanted by the higher one, or they got something they
    # preferred to it.
    for upper in out:
        wanted = prefs[upper.employee_id]
        for lower in out:
            if lower.place <= upper.place or lower.offered_id is None:
                continue
            if lower.offered_id in wanted:
                assert upper.offered_id is not None
                assert upper.preference <= wanted.index(lower.offered_id) + 1
    # Determinism: shuffling the input changes nothing.
    assert assign(list(reversed(cands)), prefs, ORDER) == out
    for a in out:
        if a.offered_id is not None:
            assert prefs[a.employee_id][a.preference - 1] == a.offered_id
            assert by_emp[a.employee_id].outcome == "promoted"

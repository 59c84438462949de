"""Scoring and assignment, as pure functions (no database).

Each criterion's raw value maps to 0-100 by the formula parameters stored on the round
(`Round.formula`, defaults in `models.default_formula`); a criterion's weighted points are
`points * weight / 100`, and the total (0-100) is their sum. All arithmetic is Decimal,
rounded half-up to two places at each step, so the same inputs give the same table anywhere.

- performance: the last evaluation's score (0-100) as is.
- training: hours of completed training decisions that ended in the `training_years` before
  the reference date; `training_full_hours` or more give 100, fewer give a proportional share.
- education: below the class minimum 0; at the minimum `education_base`; each level above
  adds `education_step`; at most 100.
- seniority: counted years in rank (counted days / `year_days`) on the points table
  `seniority_bands` (the historic scale: 1 point a year for years 1-4, 1.5 for 5-8, 2 for 9-12,
  nothing after 12); the table's maximum (18 points) gives 100.
- volunteering: hours recorded with an end date in the `volunteering_years` before the
  reference date; `volunteering_full_hours` or more give 100.
- other: HR's points (0-100) with a reason, as entered.

Assignment is serial dictatorship: candidates in order of total score, ties broken by the
round's published order (then national ID, so the order is total), and each takes their
highest preference still free among the positions whose class minimum they meet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from employment_records.models import QUALIFICATION_ORDER

from .rules import Facts, add_hijri_years, meets, time_in_rank

TWO = Decimal("0.01")
HUNDRED = Decimal(100)
CRITERIA = ("performance", "training", "education", "seniority", "volunteering", "other")


def q(value) -> Decimal:
    return Decimal(value).quantize(TWO, rounding=ROUND_HALF_UP)


def _share(value: Decimal, full) -> Decimal:
    full = Decimal(full)
    if full <= 0:
        return HUNDRED
    return q(min(HUNDRED, value * HUNDRED / full))


def seniority_points(years: Decimal, bands) -> Decimal:
    """Points on the table [[up_to_year, points_per_year], ...]; nothing after the last band."""
    points = Decimal(0)
    previous = Decimal(0)
    for up_to, per_year in bands:
        up_to = Decimal(up_to)
        if years <= previous:
            break
        points += (min(years, up_to) - previous) * Decimal(per_year)
        previous = up_to
    return q(points)


def seniority_max(bands) -> Decimal:
    return seniority_points(Decimal(bands[-1][0]), bands)


@dataclass(frozen=True)
class RoundScoring:
    reference_date: dt.date
    weights: dict  # criterion -> int, summing to 100
    formula: dict
    min_qualification: str | None
    min_years: int = 4


def _window_start(reference: dt.date, years: int) -> dt.date:
    return add_hijri_years(reference, -int(years))


def score(facts: Facts, params: RoundScoring) -> dict:
    """{criterion: {raw, points, weighted, sources}} and "total"; JSON-ready (strings)."""
    f = params.formula
    ref = params.reference_date
    rows: dict[str, dict] = {}

    perf = facts.evaluation_score if facts.evaluation_score is not None else Decimal(0)
    rows["performance"] = {
        "raw": str(q(perf)),
        "points": q(min(HUNDRED, max(Decimal(0), perf))),
        "sources": [{"year": facts.evaluation_year}] if facts.evaluation_year else [],
    }

    since = _window_start(ref, f["training_years"])
    counted = [t for t in facts.training if since <= t.end <= ref]
    hours = sum(t.hours for t in counted)
    rows["training"] = {
        "raw": str(hours),
        "points": _share(Decimal(hours), f["training_full_hours"]),
        "sources": [{"hours": t.hours, **t.source.as_json()} for t in counted],
    }

    if params.min_qualification is None or not meets(facts.qualification, params.min_qualification):
        education = Decimal(0) if params.min_qualification else Decimal(f["education_base"])
        above = 0
    else:
        above = QUALIFICATION_ORDER.index(facts.qualification or "none") - (
            QUALIFICATION_ORDER.index(params.min_qualification)
        )
        education = min(
            HUNDRED, Decimal(f["education_base"]) + Decimal(f["education_step"]) * above
        )
    rows["education"] = {
        "raw": facts.qualification or "",
        "points": q(education),
        "sources": [facts.qualification_source.as_json()] if facts.qualification_source else [],
    }

    tenure = time_in_rank(facts, reference=ref, min_years=params.min_years)
    years = (Decimal(tenure["counted_days"]) / Decimal(f["year_days"])).quantize(
        TWO, rounding="ROUND_DOWN"
    )
    bands = f["seniority_bands"]
    rows["seniority"] = {
        "raw": str(years),
        "points": _share(seniority_points(years, bands), seniority_max(bands)),
        "table_points": str(seniority_points(years, bands)),
        "sources": [facts.rank_source.as_json()] if facts.rank_source else [],
    }

    since = _window_start(ref, f["volunteering_years"])
    counted_v = [v for v in facts.volunteering if since <= v.end <= ref]
    v_hours = sum(v.hours for v in counted_v)
    rows["volunteering"] = {
        "raw": str(v_hours),
        "points": _share(Decimal(v_hours), f["volunteering_full_hours"]),
        "sources": [{"hours": v.hours, **v.source.as_json()} for v in counted_v],
    }

    other = Decimal(facts.other_points or 0)
    rows["other"] = {
        "raw": str(other),
        "points": q(min(HUNDRED, other)),
        "sources": [{"reason": facts.other_reason}] if facts.other_reason else [],
    }

    total = Decimal(0)
    for criterion in CRITERIA:
        weighted = q(rows[criterion]["points"] * Decimal(params.weights[criterion]) / HUNDRED)
        rows[criterion]["weighted"] = str(weighted)
        rows[criterion]["points"] = str(rows[criterion]["points"])
        rows[criterion]["weight"] = params.weights[criterion]
        total += weighted
    return {
        "criteria": rows,
        "total": q(total),
        "performance_points": Decimal(rows["performance"]["points"]),
        "days_in_rank": tenure["counted_days"],
    }


# --- order and assignment ------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    employee_id: int
    total: Decimal
    performance: Decimal
    days_in_rank: int
    hire_date: dt.date
    national_id: str


def _key_part(candidate: Candidate, key: str):
    if key == "performance":
        return -candidate.performance
    if key == "seniority":
        return -candidate.days_in_rank
    if key == "hire_date":
        return candidate.hire_date.toordinal()
    if key == "national_id":
        return candidate.national_id
    raise ValueError(key)


def full_order(tie_break: list[str]) -> list[str]:
    keys = [k for k in tie_break if k != "national_id"]
    return [*keys, "national_id"]


def sort_key(candidate: Candidate, tie_break: list[str]) -> tuple:
    return (-candidate.total, *(_key_part(candidate, k) for k in full_order(tie_break)))


def deciding_rule(upper: Candidate, lower: Candidate, tie_break: list[str]) -> str:
    """'' when the totals differ, else the first tie-break key that separates them."""
    if upper.total != lower.total:
        return ""
    for key in full_order(tie_break):
        if _key_part(upper, key) != _key_part(lower, key):
            return key
    return "national_id"


def rank_candidates(candidates: list[Candidate], tie_break: list[str]) -> list[Candidate]:
    return sorted(candidates, key=lambda c: sort_key(c, tie_break))


@dataclass(frozen=True)
class Assignment:
    employee_id: int
    place: int
    offered_id: int | None
    preference: int | None  # 1-based order of the preference obtained
    outcome: str  # promoted | all_taken | no_preferences
    decided_by: str  # the tie-break that put them above the next candidate, or ''


def assign(
    candidates: list[Candidate],
    preferences: dict[int, list[int]],
    tie_break: list[str],
    *,
    allowed: dict[int, set[int]] | None = None,
) -> list[Assignment]:
    """Serial assignment: best first, each takes their highest preference still free.

    `preferences[employee_id]` lists offered-position ids in the person's order; `allowed`
    (optional) limits each person to the positions whose class minimum they meet.
    """
    ordered = rank_candidates(candidates, tie_break)
    taken: set[int] = set()
    out: list[Assignment] = []
    for place, candidate in enumerate(ordered, start=1):
        nxt = ordered[place] if place < len(ordered) else None
        decided = deciding_rule(candidate, nxt, tie_break) if nxt else ""
        wanted = preferences.get(candidate.employee_id, [])
        got, got_order = None, None
        for order, offered in enumerate(wanted, start=1):
            if offered in taken:
                continue
            if allowed is not None and offered not in allowed.get(candidate.employee_id, set()):
                continue
            got, got_order = offered, order
            break
        if got is not None:
            taken.add(got)
            outcome = "promoted"
        else:
            outcome = "all_taken" if wanted else "no_preferences"
        out.append(Assignment(candidate.employee_id, place, got, got_order, outcome, decided))
    return out

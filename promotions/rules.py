"""Who may compete in a promotion round: the rules, as pure functions.

Nothing here touches the database. `promotions.facts` reads an employee's record into
`Facts`; `evaluate()` applies the rules of DOMAIN.md in a fixed order and returns, for each,
its verdict and the values it read. The result is stored as JSON on `Eligibility.rules`, and
`explain()` turns a stored result into a plain sentence in the reader's language, so the
wording can improve without recomputing anything.

The rules, in order:

1. ``in_service`` — the employee is in service (not retired, resigned, ...).
2. ``saudi`` — Saudi nationality (the civil-service ranks; non-Saudis serve on contracts).
3. ``rank`` — holds exactly the rank below the round's target (promotion to the next rank only).
4. ``time_in_rank`` — the minimum years in rank (default 4) are complete at the reference
   date. Years are Umm al-Qura Hijri years, the administrative calendar: the minimum is reached
   on the same Hijri day N years after the date in rank (day 30 of a 29-day month becomes day
   29), pushed later by every day of exceptional leave, unexcused absence, or suspension that
   ended in a disciplinary penalty between that date and the reference date (overlapping
   periods count once).
5. ``performance`` — the last evaluation (Hijri year not after the reference date's) exists and
   is not rated "unsatisfactory".
6. ``qualification`` — the highest qualification meets the lowest minimum among the classes of
   the positions offered (each preference is further limited to positions whose class minimum
   the person meets).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from core.dates import format_gregorian, format_hijri, hijri_year
from employment_records.models import QUALIFICATION_ORDER, QualificationLevel, Rating

RULES = ("in_service", "saudi", "rank", "time_in_rank", "performance", "qualification")
# Action types whose days do not count toward time in rank. A suspension counts only when it
# ended in a disciplinary penalty (EmploymentAction.ended_in_penalty).
EXCLUDED_KINDS = ("leave_exceptional", "unexcused_absence", "suspension")


@dataclass(frozen=True)
class Source:
    """Where a value comes from: a decision of the record (number and date)."""

    number: str
    on: dt.date | None
    action_id: int | None = None  # the record entry, for a "request a correction" link

    def as_json(self) -> dict:
        return {
            "number": self.number,
            "date": self.on.isoformat() if self.on else None,
            "action": self.action_id,
        }


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date  # inclusive
    source: Source


@dataclass(frozen=True)
class Training:
    hours: int
    end: dt.date
    source: Source


@dataclass(frozen=True)
class Volunteering:
    hours: int
    end: dt.date
    source: Source


@dataclass(frozen=True)
class Facts:
    """What the rules and the score read about one person."""

    employee_id: int
    national_id: str
    in_service: bool
    nationality: str
    rank: int
    rank_since: dt.date | None
    rank_source: Source | None
    hire_date: dt.date
    periods: tuple[Period, ...] = ()
    evaluation_year: int | None = None
    evaluation_score: Decimal | None = None
    evaluation_rating: str | None = None
    qualification: str | None = None
    qualification_source: Source | None = None
    training: tuple[Training, ...] = ()
    volunteering: tuple[Volunteering, ...] = ()
    other_points: int | None = None
    other_reason: str = ""


@dataclass(frozen=True)
class RoundRules:
    target_rank: int
    reference_date: dt.date
    min_years: int = 4
    min_qualification: str | None = None  # the lowest minimum among the offered classes


@dataclass
class RuleResult:
    rule: str
    passed: bool
    values: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"rule": self.rule, "passed": self.passed, "values": self.values}


# --- time in rank --------------------------------------------------------------------------


def add_hijri_years(start: dt.date, years: int) -> dt.date:
    """The same Umm al-Qura day `years` later (day 30 of a 29-day month becomes day 29);
    Gregorian years outside the Umm al-Qura table (29 Feb becomes 28 Feb)."""
    from hijridate import Gregorian, Hijri

    try:
        hijri = Gregorian(start.year, start.month, start.day).to_hijri()
        try:
            return Hijri(hijri.year + years, hijri.month, hijri.day).to_gregorian()
        except ValueError:
            return Hijri(hijri.year + years, hijri.month, hijri.day - 1).to_gregorian()
    except (OverflowError, ValueError):
        try:
            return start.replace(year=start.year + years)
        except ValueError:
            return start.replace(year=start.year + years, day=28)


def excluded_days(periods: tuple[Period, ...], *, start: dt.date, end: dt.date) -> int:
    """Days of the periods inside [start, end) — overlapping periods count once."""
    spans = sorted(
        (max(p.start, start), min(p.end, end - dt.timedelta(days=1)))
        for p in periods
        if p.end >= start and p.start < end
    )
    total = 0
    cursor: dt.date | None = None
    for begin, finish in spans:
        if cursor is not None and begin <= cursor:
            begin = cursor + dt.timedelta(days=1)
        if finish >= begin:
            total += (finish - begin).days + 1
        cursor = finish if cursor is None else max(cursor, finish)
    return total


def time_in_rank(facts: Facts, *, reference: dt.date, min_years: int) -> dict:
    """Counted days in rank at the reference date and the date the minimum is reached."""
    if facts.rank_since is None:
        return {"since": None, "excluded_days": 0, "counted_days": 0, "reached_on": None}
    excluded = excluded_days(facts.periods, start=facts.rank_since, end=reference)
    reached = add_hijri_years(facts.rank_since, min_years) + dt.timedelta(days=excluded)
    counted = max(0, (reference - facts.rank_since).days - excluded)
    return {
        "since": facts.rank_since.isoformat(),
        "excluded_days": excluded,
        "counted_days": counted,
        "reached_on": reached.isoformat(),
    }


# --- the rules -----------------------------------------------------------------------------


def evaluate(facts: Facts, rules: RoundRules) -> list[RuleResult]:
    """Every rule's verdict with the values it read, in the order of RULES."""
    results = [
        RuleResult("in_service", facts.in_service, {"in_service": facts.in_service}),
        RuleResult("saudi", facts.nationality == "SA", {"nationality": facts.nationality}),
        RuleResult(
            "rank",
            facts.rank == rules.target_rank - 1,
            {"rank": facts.rank, "required": rules.target_rank - 1},
        ),
    ]
    tenure = time_in_rank(facts, reference=rules.reference_date, min_years=rules.min_years)
    reached = tenure["reached_on"]
    results.append(
        RuleResult(
            "time_in_rank",
            reached is not None and dt.date.fromisoformat(reached) <= rules.reference_date,
            {
                **tenure,
                "min_years": rules.min_years,
                "reference": rules.reference_date.isoformat(),
                "source": facts.rank_source.as_json() if facts.rank_source else None,
                "periods": [
                    {
                        "kind": p.kind,
                        "start": p.start.isoformat(),
                        "end": p.end.isoformat(),
                        **p.source.as_json(),
                    }
                    for p in facts.periods
                    if p.end >= (facts.rank_since or p.end) and p.start < rules.reference_date
                ],
            },
        )
    )
    results.append(
        RuleResult(
            "performance",
            facts.evaluation_rating is not None
            and facts.evaluation_rating != Rating.UNSATISFACTORY,
            {
                "year": facts.evaluation_year,
                "rating": facts.evaluation_rating,
                "score": str(facts.evaluation_score)
                if facts.evaluation_score is not None
                else None,
            },
        )
    )
    results.append(
        RuleResult(
            "qualification",
            meets(facts.qualification, rules.min_qualification),
            {"level": facts.qualification, "minimum": rules.min_qualification},
        )
    )
    return results


def meets(level: str | None, minimum: str | None) -> bool:
    if minimum is None:
        return True
    if level is None:
        return minimum == QualificationLevel.NONE
    return QUALIFICATION_ORDER.index(level) >= QUALIFICATION_ORDER.index(minimum)


def first_failed(results: list[RuleResult]) -> str:
    return next((r.rule for r in results if not r.passed), "")


def evaluation_in_scope(year: int | None, reference: dt.date) -> bool:
    """An evaluation counts when its Hijri year is not after the reference date's."""
    return year is not None and year <= hijri_year(reference)


# --- plain words ---------------------------------------------------------------------------


def rule_title(rule: str) -> str:
    titles = {
        "in_service": _("In service"),
        "saudi": _("Saudi nationality"),
        "rank": _("Rank below the target rank"),
        "time_in_rank": _("Minimum time in rank"),
        "performance": _("Last performance evaluation"),
        "qualification": _("Qualification"),
    }
    return titles.get(rule, rule)


def _both(iso: str | None) -> str:
    if not iso:
        return ""
    day = dt.date.fromisoformat(iso)
    return f"{format_hijri(day)} ({format_gregorian(day)})"


def _level(code: str | None) -> str:
    if code is None:
        return _("none recorded")
    return str(QualificationLevel(code).label)


def explain(result: dict) -> str:
    """One stored rule result in plain words, in the active language."""
    rule, passed, values = result["rule"], result["passed"], result.get("values", {})
    if rule == "in_service":
        return _("You are in service.") if passed else _("Your service has ended.")
    if rule == "saudi":
        if passed:
            return _("Promotion on the civil-service ranks is for Saudi employees; you are one.")
        return _("Promotion on the civil-service ranks is for Saudi employees.")
    if rule == "rank":
        if passed:
            return _("You hold rank %(rank)s, the rank below this round's.") % values
        return (
            _(
                "This round promotes from rank %(required)s to the next rank only; "
                "your rank is %(rank)s."
            )
            % values
        )
    if rule == "time_in_rank":
        if values.get("since") is None:
            return _("Your record has no date of entering your current rank.")
        text = _(
            "%(years)s years in rank are needed by %(reference)s. You have held your rank since "
            "%(since)s; %(excluded)s days of exceptional leave, unexcused absence or suspension "
            "ending in a penalty do not count, so the minimum is reached on %(reached)s."
        ) % {
            "years": values["min_years"],
            "reference": _both(values["reference"]),
            "since": _both(values["since"]),
            "excluded": values["excluded_days"],
            "reached": _both(values["reached_on"]),
        }
        return text
    if rule == "performance":
        if values.get("rating") is None:
            return _("No performance evaluation is on your record for the years before the round.")
        label = str(Rating(values["rating"]).label)
        if passed:
            return _("Your last evaluation (%(year)s AH) is rated “%(rating)s”.") % {
                "year": values["year"],
                "rating": label,
            }
        return _(
            "Your last evaluation (%(year)s AH) is rated “%(rating)s”; "
            "an unsatisfactory rating excludes you from this round."
        ) % {"year": values["year"], "rating": label}
    if rule == "qualification":
        if values.get("minimum") is None:
            return _("No position is offered yet, so no qualification is required so far.")
        text = _(
            "Your highest qualification is %(level)s; the positions offered need at least "
            "%(minimum)s."
        ) % {"level": _level(values.get("level")), "minimum": _level(values["minimum"])}
        return text
    return rule

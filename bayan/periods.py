"""The service periods of an end-of-service statement, computed from the employment record.

`compute_periods()` is ONE pure function: it reads no database, no clock and no settings, so
the same record always gives the same statement, and the rules below are all there is.

Rules
-----
1. The span is from the hire date to the end-of-service date, both days included. (For an
   employee still in service the caller passes the expected end, e.g. the retirement date.)
2. The span is cut into periods at every entry that changes where or how the person serves:
   appointment, promotion, exceptional promotion, transfer, secondment, assignment and
   reinstatement. Each period is labelled by the entry that opened it (its type, decision
   number and the rank it gave). Secondments and assignments COUNT: the person is still in
   government service and contributions are paid.
3. These stretches do NOT count towards service and become excluded periods:
   a. exceptional leave (إجازة استثنائية), for the number of days the record gives
      ("... 30 days" / "المدة 30 يوماً" in the entry's notes, or `days` when the caller knows it);
      when the record does not say how long, the leave is reported in `warnings` and nothing is
      excluded until HR edits the period;
   b. unexcused absence, when the caller passes an entry of kind `absence` with its days
      (the record has no such action type yet; HR adds one by editing the statement);
   c. a suspension (كف يد) that ended in a disciplinary penalty: from the suspension to the day
      before the next reinstatement (or its own days, or the end of the span); a penalty counts
      when it is dated on or after the suspension and before the next suspension. A suspension
      with no penalty counts (the person was cleared);
   d. time out of service: from the day after an end-of-service entry (retirement, resignation,
      dismissal, ...) to the day before the reinstatement that follows it.
   Every other leave (ordinary, sick, maternity, study), training, missions and scholarships
   counts. Overlapping exclusions are merged, and everything is clipped to the span.
4. Every day of the span lies in exactly one period: counted days + excluded days = the span.
5. Totals: each counted period's length in whole years, months and days is measured the way a
   person counts it (`employment_records.selectors.service_length`, the end day included),
   once on the Gregorian calendar and once on the Umm al-Qura (Hijri) calendar; the lengths
   are added and carried at 30 days to a month and 12 months to a year, so a total never
   shows 30 days or more, nor 12 months or more.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from hijridate import Gregorian

from employment_records.models import ActionType
from employment_records.selectors import service_length

ONE_DAY = dt.timedelta(days=1)

# Entries that open a new service period (rule 2).
OPENS_PERIOD = frozenset(
    {
        ActionType.APPOINTMENT,
        ActionType.PROMOTION,
        ActionType.EXCEPTIONAL_PROMOTION,
        ActionType.TRANSFER,
        ActionType.SECONDMENT,
        ActionType.ASSIGNMENT,
        ActionType.REINSTATEMENT,
    }
)
END_OF_SERVICE = frozenset(
    {
        ActionType.RETIREMENT,
        ActionType.EARLY_RETIREMENT,
        ActionType.RESIGNATION,
        ActionType.DISMISSAL,
        ActionType.DEATH,
        ActionType.MEDICAL_UNFITNESS,
    }
)
ABSENCE = "absence"  # not an action type of the record (rule 3b)


class Exclusion:
    """Why a period does not count (stored in statements, so the values never change)."""

    EXCEPTIONAL_LEAVE = "exceptional_leave"
    ABSENCE = "absence"
    SUSPENSION = "suspension"
    OUT_OF_SERVICE = "out_of_service"


@dataclass(frozen=True)
class RecordEntry:
    """One entry of the record as the computation needs it."""

    action_type: str
    start: dt.date
    days: int | None = None  # length, for leaves, absences and suspensions when known
    decision_number: str = ""
    rank: int | None = None


@dataclass(frozen=True)
class Totals:
    years: int = 0
    months: int = 0
    days: int = 0

    def __add__(self, other: Totals) -> Totals:
        return normalise(
            self.years + other.years, self.months + other.months, self.days + other.days
        )

    def as_dict(self) -> dict:
        return {"years": self.years, "months": self.months, "days": self.days}


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # included
    counts: bool
    kind: str  # the action type that opened it, or an Exclusion value
    decision_number: str = ""
    rank: int | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def gregorian(self) -> Totals:
        return gregorian_length(self.start, self.end)

    @property
    def hijri(self) -> Totals:
        return hijri_length(self.start, self.end)


@dataclass(frozen=True)
class ServiceComputation:
    start: dt.date
    end: dt.date
    periods: tuple[Period, ...]
    warnings: tuple[str, ...] = field(default=())

    @property
    def span_days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def counted_days(self) -> int:
        return sum(p.days for p in self.periods if p.counts)

    @property
    def excluded_days(self) -> int:
        return sum(p.days for p in self.periods if not p.counts)

    @property
    def gregorian(self) -> Totals:
        return total_of(self.periods, calendar="gregorian")

    @property
    def hijri(self) -> Totals:
        return total_of(self.periods, calendar="hijri")


# --- lengths -------------------------------------------------------------------------------


def normalise(years: int, months: int, days: int) -> Totals:
    """Carry at 30 days to a month and 12 months to a year (rule 5)."""
    months += days // 30
    days %= 30
    years += months // 12
    months %= 12
    return Totals(years, months, days)


def gregorian_length(start: dt.date, end: dt.date) -> Totals:
    """Years, months and days from `start` to `end`, both included, on the Gregorian calendar."""
    length = service_length(start, end + ONE_DAY)
    return normalise(length.years, length.months, length.days)


def _hijri(value: dt.date):
    return Gregorian(value.year, value.month, value.day).to_hijri()


def hijri_length(start: dt.date, end: dt.date) -> Totals:
    """The same count on the Umm al-Qura calendar (lunar months of 29 or 30 days)."""
    first, after = _hijri(start), _hijri(end + ONE_DAY)
    years = after.year - first.year
    months = after.month - first.month
    days = after.day - first.day
    if days < 0:
        months -= 1
        previous = _hijri(end + ONE_DAY - dt.timedelta(days=after.day))  # last day of last month
        days += max(previous.month_length(), first.day)
    if months < 0:
        years -= 1
        months += 12
    return normalise(max(years, 0), max(months, 0), max(days, 0))


def total_of(periods: Iterable[Period], *, calendar: str) -> Totals:
    total = Totals()
    for period in periods:
        if period.counts:
            total = total + (period.hijri if calendar == "hijri" else period.gregorian)
    return total


# --- the computation -----------------------------------------------------------------------

_DAYS_IN_NOTES = re.compile(r"(\d+)\s*(?:days?|يوم|يوماً|يوما|أيام)", re.IGNORECASE)
_EASTERN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")


def days_from_notes(notes: str) -> int | None:
    """The length a record entry states in its notes ("المدة 30 يوماً", "for 5 days")."""
    match = _DAYS_IN_NOTES.search((notes or "").translate(_EASTERN_DIGITS))
    return int(match.group(1)) if match else None


def entries_from_actions(actions: Iterable) -> list[RecordEntry]:
    """RecordEntry values from EmploymentAction rows (or anything with the same attributes)."""
    return [
        RecordEntry(
            action_type=action.action_type,
            start=action.effective_date,
            days=days_from_notes(action.notes),
            decision_number=action.decision_number,
            rank=action.to_rank,
        )
        for action in actions
    ]


def _exclusions(
    entries: Sequence[RecordEntry], end: dt.date
) -> tuple[list[tuple[dt.date, dt.date, str, str]], list[str]]:
    """(first day, last day, Exclusion, decision number) of every stretch that does not count."""
    found, warnings = [], []
    for index, entry in enumerate(entries):
        later = entries[index + 1 :]
        if entry.action_type in (ActionType.LEAVE_EXCEPTIONAL, ABSENCE):
            kind = (
                Exclusion.EXCEPTIONAL_LEAVE
                if entry.action_type == ActionType.LEAVE_EXCEPTIONAL
                else Exclusion.ABSENCE
            )
            if entry.days is None:
                warnings.append(f"{kind}:{entry.start.isoformat()}:{entry.decision_number}")
            elif entry.days > 0:
                found.append(
                    (
                        entry.start,
                        entry.start + dt.timedelta(days=entry.days - 1),
                        kind,
                        entry.decision_number,
                    )
                )
        elif entry.action_type == ActionType.SUSPENSION:
            next_suspension = next(
                (e.start for e in later if e.action_type == ActionType.SUSPENSION), None
            )
            penalised = any(
                e.action_type == ActionType.DISCIPLINARY_PENALTY
                and (next_suspension is None or e.start < next_suspension)
                for e in later
            )
            if not penalised:
                continue
            reinstated = next(
                (e.start for e in later if e.action_type == ActionType.REINSTATEMENT), None
            )
            if reinstated is not None:
                last = reinstated - ONE_DAY
            elif entry.days:
                last = entry.start + dt.timedelta(days=entry.days - 1)
            else:
                last = end
            found.append((entry.start, last, Exclusion.SUSPENSION, entry.decision_number))
        elif entry.action_type in END_OF_SERVICE:
            reinstated = next(
                (e.start for e in later if e.action_type == ActionType.REINSTATEMENT), None
            )
            if reinstated is not None:
                found.append(
                    (
                        entry.start + ONE_DAY,
                        reinstated - ONE_DAY,
                        Exclusion.OUT_OF_SERVICE,
                        entry.decision_number,
                    )
                )
    return found, warnings


def compute_periods(
    *, hire_date: dt.date, end_date: dt.date, entries: Iterable[RecordEntry]
) -> ServiceComputation:
    """The statement's periods from hire to end, every day in exactly one of them (rules 1-5)."""
    if end_date < hire_date:
        raise ValueError("the end of service is before the hire date")
    entries = sorted(entries, key=lambda e: (e.start, e.action_type))
    exclusions, warnings = _exclusions(entries, end_date)

    # Day-by-day state would be simple but slow over 40 years; cut at every boundary instead.
    excluded: list[tuple[dt.date, dt.date, str, str]] = []
    for first, last, kind, decision in sorted(exclusions):
        first, last = max(first, hire_date), min(last, end_date)
        if first > last:
            continue
        if excluded and first <= excluded[-1][1] + ONE_DAY and excluded[-1][2] == kind:
            previous = excluded[-1]
            excluded[-1] = (previous[0], max(previous[1], last), kind, previous[3])
        elif excluded and first <= excluded[-1][1]:
            # A different exclusion overlapping the previous one: the earlier keeps its days.
            if last > excluded[-1][1]:
                excluded.append((excluded[-1][1] + ONE_DAY, last, kind, decision))
        else:
            excluded.append((first, last, kind, decision))

    openers = [
        e for e in entries if e.action_type in OPENS_PERIOD and hire_date <= e.start <= end_date
    ]
    cuts = {hire_date, end_date + ONE_DAY}
    cuts.update(e.start for e in openers)
    for first, last, _kind, _decision in excluded:
        cuts.update((first, last + ONE_DAY))
    boundaries = sorted(cuts)

    periods: list[Period] = []
    for first, after in zip(boundaries, boundaries[1:], strict=False):
        last = after - ONE_DAY
        exclusion = next((x for x in excluded if x[0] <= first <= x[1]), None)
        if exclusion is not None:
            period = Period(first, last, False, exclusion[2], exclusion[3])
        else:
            opener = next((e for e in reversed(openers) if e.start <= first), None)
            period = Period(
                first,
                last,
                True,
                opener.action_type if opener else ActionType.APPOINTMENT,
                opener.decision_number if opener else "",
                opener.rank if opener else None,
            )
        previous = periods[-1] if periods else None
        if (
            previous is not None
            and (previous.counts, previous.kind, previous.decision_number)
            == (
                period.counts,
                period.kind,
                period.decision_number,
            )
            and previous.rank == period.rank
            and previous.end + ONE_DAY == period.start
            and not period.counts
        ):
            periods[-1] = Period(
                previous.start, period.end, False, period.kind, period.decision_number
            )
        else:
            periods.append(period)
    return ServiceComputation(hire_date, end_date, tuple(periods), tuple(warnings))


# --- showing totals ------------------------------------------------------------------------


def format_totals(totals: Totals) -> str:
    """'12 years, 3 months and 5 days' in the active language (Arabic plural forms included)."""
    from django.utils.translation import gettext, ngettext

    parts = {
        "years": ngettext("%(count)d year", "%(count)d years", totals.years)
        % {"count": totals.years},
        "months": ngettext("%(count)d month", "%(count)d months", totals.months)
        % {"count": totals.months},
        "days": ngettext("%(count)d day", "%(count)d days", totals.days) % {"count": totals.days},
    }
    return gettext("%(years)s, %(months)s and %(days)s") % parts

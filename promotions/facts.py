"""Read people's records into `rules.Facts`, a chunk at a time, in a fixed number of queries
(one per table, whatever the chunk's size)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q

from core.dates import hijri_year
from employment_records.models import (
    QUALIFICATION_ORDER,
    ActionType,
    DecisionStatus,
    Employee,
    EmployeeStatus,
    EmploymentAction,
    PerformanceEvaluation,
    Qualification,
    TrainingDecision,
    VolunteeringEntry,
)

from .models import OtherPoints
from .rules import Facts, Period, Source, Training, Volunteering

RANK_ACTIONS = (
    ActionType.APPOINTMENT,
    ActionType.PROMOTION,
    ActionType.EXCEPTIONAL_PROMOTION,
    ActionType.REINSTATEMENT,
)
EMPLOYEE_FIELDS = (
    "id",
    "national_id",
    "status",
    "nationality",
    "rank",
    "rank_since",
    "hire_date",
)


def read_facts(employee_ids: list[int], *, round_id: int | None, reference: dt.date) -> list[Facts]:
    """Facts for these employees as the record stood at `reference`; 7 queries."""
    people = list(
        Employee.objects.filter(pk__in=employee_ids).order_by("pk").values(*EMPLOYEE_FIELDS)
    )
    ids = [p["id"] for p in people]
    rank_source: dict[int, Source] = {}
    periods: dict[int, list[Period]] = defaultdict(list)
    actions = (
        EmploymentAction.objects.filter(employee_id__in=ids, effective_date__lte=reference)
        .filter(
            Q(action_type__in=RANK_ACTIONS)
            | Q(action_type__in=("leave_exceptional", "unexcused_absence"))
            | Q(action_type="suspension", ended_in_penalty=True)
        )
        .order_by("employee_id", "effective_date", "id")
        .values_list(
            "pk",
            "employee_id",
            "action_type",
            "decision_number",
            "decision_date",
            "effective_date",
            "end_date",
            "to_rank",
        )
    )
    ranks = {p["id"]: p["rank"] for p in people}
    for action_id, emp, kind, number, decided, effective, end, to_rank in actions:
        if kind in RANK_ACTIONS:
            if to_rank == ranks[emp] or to_rank is None and kind == ActionType.APPOINTMENT:
                rank_source[emp] = Source(number, decided, action_id)  # the latest one wins
        else:
            periods[emp].append(
                Period(kind, effective, end or effective, Source(number, decided, action_id))
            )

    evaluations: dict[int, tuple] = {}
    for emp, year, score, rating in (
        PerformanceEvaluation.objects.filter(employee_id__in=ids, year__lte=hijri_year(reference))
        .order_by("employee_id", "year")
        .values_list("employee_id", "year", "score", "rating")
    ):
        evaluations[emp] = (year, score, rating)  # the latest year wins

    qualifications: dict[int, tuple] = {}
    for emp, level, graduated in Qualification.objects.filter(
        employee_id__in=ids, graduation_date__lte=reference
    ).values_list("employee_id", "level", "graduation_date"):
        best = qualifications.get(emp)
        if best is None or QUALIFICATION_ORDER.index(level) > QUALIFICATION_ORDER.index(best[0]):
            qualifications[emp] = (level, graduated)

    training: dict[int, list[Training]] = defaultdict(list)
    for emp, hours, end, number, decided in (
        TrainingDecision.objects.filter(
            employee_id__in=ids, status=DecisionStatus.COMPLETED, end_date__lte=reference
        )
        .order_by("employee_id", "end_date", "id")
        .values_list("employee_id", "hours", "end_date", "decision_number", "decision_date")
    ):
        training[emp].append(Training(hours, end, Source(number, decided)))

    volunteering: dict[int, list[Volunteering]] = defaultdict(list)
    for emp, hours, end, number in (
        VolunteeringEntry.objects.filter(employee_id__in=ids, end_date__lte=reference)
        .order_by("employee_id", "end_date", "id")
        .values_list("employee_id", "hours", "end_date", "certificate_number")
    ):
        volunteering[emp].append(Volunteering(hours, end, Source(number, end)))

    other: dict[int, tuple] = {}
    if round_id is not None:
        other = {
            emp: (points, reason)
            for emp, points, reason in OtherPoints.objects.filter(
                round_id=round_id, employee_id__in=ids
            ).values_list("employee_id", "points", "reason")
        }

    out = []
    for p in people:
        emp = p["id"]
        evaluation = evaluations.get(emp, (None, None, None))
        qualification = qualifications.get(emp)
        out.append(
            Facts(
                employee_id=emp,
                national_id=p["national_id"],
                in_service=p["status"] == EmployeeStatus.ACTIVE,
                nationality=p["nationality"],
                rank=p["rank"],
                rank_since=p["rank_since"],
                rank_source=rank_source.get(emp),
                hire_date=p["hire_date"],
                periods=tuple(periods.get(emp, ())),
                evaluation_year=evaluation[0],
                evaluation_score=evaluation[1],
                evaluation_rating=evaluation[2],
                qualification=qualification[0] if qualification else None,
                qualification_source=Source("", qualification[1]) if qualification else None,
                training=tuple(training.get(emp, ())),
                volunteering=tuple(volunteering.get(emp, ())),
                other_points=other.get(emp, (None, ""))[0],
                other_reason=other.get(emp, (None, ""))[1],
            )
        )
    return out

"""Reads of Bayan, scoped by owner or entity: another person's or entity's statement is 404."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.hr_admin import hr_entity_id
from employment_records.models import Employee, EmployeeStatus, EndReason

from . import services
from .models import Statement, StatementHistory, Status

WORK_LIST_LIMIT = 50  # the most urgent first; the page says when more wait
# 60 Hijri years are about 58.2 Gregorian years: anyone born after this cannot retire soon.
_RETIREMENT_SPAN = dt.timedelta(days=int(60 * 354.367))


@dataclass(frozen=True)
class WorkItem:
    employee: Employee
    end_date: dt.date
    end_reason: str
    due: dt.date
    statement: Statement | None

    @property
    def is_overdue(self) -> bool:
        return self.due < timezone.localdate()

    @property
    def end_reason_label(self) -> str:
        return str(EndReason(self.end_reason).label) if self.end_reason else ""

    @property
    def ended(self) -> bool:
        return self.employee.status == EmployeeStatus.ENDED


def work_list(*, user, today: dt.date | None = None) -> list[WorkItem]:
    """The entity's employees whose service ended or ends within 90 days and who have no
    acknowledged statement, overdue first, then by due date: at most WORK_LIST_LIMIT.

    The due date grows with the end date, so "overdue first, then by due date" is the order of
    the end date. Ended services are read in end-date order and services ending by retirement
    in birth-date order (the retirement date grows with it), each stopped in SQL after
    WORK_LIST_LIMIT rows, then merged: an entity of 300,000 people has thousands of ended
    services, and reading them all took over a second (issue 16). Four or five queries."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=services.ENDING_WINDOW_DAYS)
    candidates = Employee.objects.filter(entity_id=hr_entity_id(user)).exclude(
        bayan_statements__status=Status.ACKNOWLEDGED
    )
    ended = candidates.filter(
        status=EmployeeStatus.ENDED, end_date__isnull=False, end_date__lte=horizon
    ).order_by("end_date", "national_id")[:WORK_LIST_LIMIT]
    retiring = list(
        candidates.filter(_retiring_by(horizon))
        .order_by("date_of_birth", "national_id")[:WORK_LIST_LIMIT]
        .values_list("pk", "date_of_birth")
    )
    retiring_ids = [pk for pk, _born in retiring]
    if len(retiring) == WORK_LIST_LIMIT:
        # Births a day apart can share a Hijri retirement date: take the last one's whole tie.
        last_born = retiring[-1][1] + dt.timedelta(days=3)
        retiring_ids = candidates.filter(
            _retiring_by(horizon), date_of_birth__lte=last_born
        ).values_list("pk", flat=True)
    employees = Employee.objects.filter(
        pk__in=[*ended.values_list("pk", flat=True), *retiring_ids]
    ).prefetch_related(
        Prefetch("bayan_statements", queryset=Statement.objects.order_by("-version"))
    )
    items = []
    for employee in employees:
        end_date, end_reason = services.expected_end(employee)
        if end_date > horizon:
            continue
        statements = list(employee.bayan_statements.all())
        items.append(
            WorkItem(
                employee=employee,
                end_date=end_date,
                end_reason=end_reason,
                due=services.due_date(end_date),
                statement=statements[0] if statements else None,
            )
        )
    items.sort(key=lambda item: (not item.is_overdue, item.due, item.employee.national_id))
    return items[:WORK_LIST_LIMIT]


def _retiring_by(horizon: dt.date) -> Q:
    """In service (or ended with no end date, whose end is the retirement date) and born early
    enough to retire by `horizon`."""
    born_by = horizon - _RETIREMENT_SPAN
    return Q(date_of_birth__lte=born_by) & (
        Q(status=EmployeeStatus.ACTIVE) | Q(status=EmployeeStatus.ENDED, end_date__isnull=True)
    )


def _detailed(queryset):
    return queryset.select_related(
        "employee",
        "entity",
        "delivery",
        "document",
        "prepared_by__employee",
        "approved_by__employee",
    ).prefetch_related(
        "periods",
        Prefetch("history", queryset=StatementHistory.objects.select_related("actor__employee")),
    )


def access_statement_for_hr(*, user, statement_id: int) -> Statement:
    return get_object_or_404(
        _detailed(Statement.objects.all()), pk=statement_id, entity_id=hr_entity_id(user)
    )


def versions_of(statement: Statement):
    return Statement.objects.filter(employee_id=statement.employee_id).order_by("-version")


def latest_statement_of(employee: Employee) -> Statement | None:
    """The employee's newest version, with its history (for their own page)."""
    return _detailed(Statement.objects.filter(employee=employee)).order_by("-version").first()


def access_statement_for_employee(*, employee: Employee, statement_id: int) -> Statement:
    return get_object_or_404(
        Statement.objects.select_related("document", "entity"),
        pk=statement_id,
        employee=employee,
    )

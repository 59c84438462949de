"""Reads of Bayan, scoped by owner or entity: another person's or entity's statement is 404."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.hr_admin import hr_entity_id
from employment_records.models import Employee, EmployeeStatus, EndReason

from . import services
from .models import Statement, StatementHistory, Status

WORK_LIST_LIMIT = 200
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
    acknowledged statement, overdue first, then by due date. Two queries."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=services.ENDING_WINDOW_DAYS)
    latest_first = Statement.objects.order_by("-version")
    employees = (
        Employee.objects.filter(entity_id=hr_entity_id(user))
        .filter(
            models_q_ended_or_retiring(horizon),
        )
        .exclude(bayan_statements__status=Status.ACKNOWLEDGED)
        .prefetch_related(Prefetch("bayan_statements", queryset=latest_first))
        .order_by("end_date", "date_of_birth")
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


def models_q_ended_or_retiring(horizon: dt.date):
    from django.db.models import Q

    return Q(status=EmployeeStatus.ENDED) | Q(
        status=EmployeeStatus.ACTIVE, date_of_birth__lte=horizon - _RETIREMENT_SPAN
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

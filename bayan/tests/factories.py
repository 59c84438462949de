"""Test helpers: statements are prepared and approved through the services, as HR does it."""

from __future__ import annotations

import datetime as dt

from accounts.tests.factories import UserFactory, grant_all, make_hr_specialist
from bayan import services
from employment_records.models import ActionType, EmployeeStatus, EndReason, SalaryScale
from employment_records.salary_scale import salary_amount
from employment_records.tests.factories import ActionFactory, EmployeeFactory, EntityFactory


def specialist(entity, *, grant=True, **kwargs):
    """An HR specialist of `entity` with an employee record there (and a Bayan grant)."""
    user = make_hr_specialist(entity, **kwargs)
    employee = EmployeeFactory(entity=entity, user=user, national_id=user.username)
    if grant:
        grant_all(employee, ["bayan"])
    return user


def retiree(entity=None, *, with_account=True, end_date=dt.date(2024, 6, 30), **kwargs):
    """A Saudi employee whose service ended, with a short record and a salary scale entry."""
    entity = entity or EntityFactory()
    values = {
        "entity": entity,
        "status": EmployeeStatus.ENDED,
        "end_date": end_date,
        "end_reason": EndReason.RETIREMENT,
        "hire_date": dt.date(1990, 1, 1),
        "date_of_birth": dt.date(1964, 5, 1),
        "rank": 8,
        "step": 3,
        **kwargs,
    }
    if with_account:
        user = UserFactory(
            with_employee=True, **{f"linked_employee__{k}": v for k, v in values.items()}
        )
        employee = user.employee
        grant_all(employee, ["bayan"])
    else:
        employee = EmployeeFactory(**values)
    SalaryScale.objects.get_or_create(
        rank=employee.rank, step=employee.step, defaults={"amount": salary_amount(8, 3)}
    )
    for action_type, when, notes in (
        (ActionType.APPOINTMENT, dt.date(1990, 1, 1), ""),
        (ActionType.TRANSFER, dt.date(2000, 3, 1), ""),
        (ActionType.LEAVE_EXCEPTIONAL, dt.date(2005, 5, 1), "المدة 30 يومًا"),
        (ActionType.PROMOTION, dt.date(2010, 7, 1), ""),
    ):
        ActionFactory(
            employee=employee,
            action_type=action_type,
            effective_date=when,
            decision_date=when,
            notes=notes,
        )
    return employee


def prepared(employee, maker):
    return services.prepare_statement(employee_id=employee.pk, actor=maker)


def submitted(employee, maker):
    statement = prepared(employee, maker)
    return services.submit_statement(statement_id=statement.pk, actor=maker)


def approved(employee, maker, checker):
    statement = submitted(employee, maker)
    return services.approve_statement(statement_id=statement.pk, actor=checker)

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
        (ActionType.LEAVE_EXCEPTIONAL, dt.date(2005, 5, 1), "المدة 30 يوماً"),
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


def frozen_statement(employee, *, with_pdf=True):
    """An approved statement about `employee` made directly (for access tests that need one
    about anybody, in service or not), with its periods and, by default, its ready PDF."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from bayan.models import Statement, StatementPeriod, Status
    from core.models import Document

    end = employee.end_date or dt.date(2024, 6, 30)
    document = None
    if with_pdf:
        name = default_storage.save("documents/bayan-test.pdf", ContentFile(b"%PDF-1.4\n%test\n"))
        document = Document.objects.create(
            kind="bayan_statement",
            holder=employee,
            entity=employee.entity,
            status=Document.Status.READY,
            file_name=name,
            issued_at=timezone.now(),
        )
    statement = Statement.objects.create(
        number=f"B-1448-{employee.pk:06d}",
        employee=employee,
        entity=employee.entity,
        status=Status.APPROVED,
        hire_date=employee.hire_date,
        end_date=max(end, employee.hire_date),
        end_reason=employee.end_reason or EndReason.RETIREMENT,
        rank=employee.rank,
        step=employee.step,
        basic_salary=salary_amount(employee.rank, employee.step),
        snapshot={"number": f"B-1448-{employee.pk:06d}"},
        approved_at=timezone.now(),
        document=document,
    )
    StatementPeriod.objects.create(
        statement=statement,
        position=1,
        start=statement.hire_date,
        end=statement.end_date,
        kind=ActionType.APPOINTMENT,
    )
    return statement

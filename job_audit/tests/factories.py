"""Test helpers: a clean inventory to spoil one way at a time, and the people who audit it."""

from __future__ import annotations

import datetime as dt

from accounts.tests.factories import UserFactory, grant_all, make_hr_specialist
from employment_records.models import (
    EmployeeStatus,
    EmploymentAction,
    PositionStatus,
    Qualification,
    QualificationLevel,
)
from employment_records.tests.factories import (
    EmployeeFactory,
    EntityFactory,
    JobClassFactory,
    PositionFactory,
    UnitFactory,
)


def qualify(employee, level=QualificationLevel.BACHELOR):
    return Qualification.objects.create(
        employee=employee,
        level=level,
        major="Management",
        institution="King Saud University",
        graduation_date=dt.date(2012, 6, 1),
    )


def clean_inventory(*, occupied=3, vacant=2, frozen=1, entity=None):
    """An entity whose inventory has no finding: occupants of the right rank and qualification
    on occupied positions, empty vacant and frozen positions, units of its own."""
    entity = entity or EntityFactory()
    unit = UnitFactory(entity=entity)
    job_class = JobClassFactory(rank=8, min_qualification=QualificationLevel.BACHELOR)
    employees = []
    for _ in range(occupied):
        position = PositionFactory(entity=entity, unit=unit, job_class=job_class, rank=8)
        employee = EmployeeFactory(entity=entity, unit=unit, position=position, rank=8)
        qualify(employee)
        EmploymentAction.objects.create(
            employee=employee,
            action_type="appointment",
            decision_number=f"A/{employee.pk}",
            decision_date=dt.date(2015, 1, 1),
            effective_date=dt.date(2015, 1, 1),
            to_position=position,
            to_rank=8,
            to_step=1,
        )
        employees.append(employee)
    for _ in range(vacant):
        PositionFactory(
            entity=entity, unit=unit, job_class=job_class, rank=8, status=PositionStatus.VACANT
        )
    for _ in range(frozen):
        PositionFactory(
            entity=entity, unit=unit, job_class=job_class, rank=8, status=PositionStatus.FROZEN
        )
    return entity, unit, job_class, employees


def ended(employee):
    employee.status = EmployeeStatus.ENDED
    employee.end_date = dt.date(2025, 1, 1)
    employee.end_reason = "retirement"
    employee.save()
    return employee


def auditor(**kwargs):
    """A ministry auditor: staff account holding the "Ministry auditors" role as
    sync_role_groups sets it (view everything, decide job variables), no HR profile."""
    from django.contrib.auth.models import Group

    from core.hr_admin import MINISTRY_AUDITORS, sync_role_groups

    sync_role_groups()
    group = Group.objects.get(name=MINISTRY_AUDITORS)
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(group)
    return user


def specialist(entity, *, granted=True):
    """An HR specialist of `entity` who is also an employee there, with the job-audit grant."""
    user = make_hr_specialist(entity)
    employee = EmployeeFactory(national_id=user.username, user=user, entity=entity)
    qualify(employee)
    if granted:
        grant_all(employee)
    return user

"""The stored copies issue 16 added for the consoles never disagree with what they copy:
Employee.name_normalised (the trigram-indexed search name), EmploymentAction.entity (the HR
actions list's index) and CorrectionRequest.entity (the HR correction queue's), through every
way they are written: save(), a correction approved by HR, the bulk loaders, and on
PostgreSQL the database itself (composite foreign keys)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from accounts.tests.factories import UserFactory, make_hr_specialist
from core.search import normalise
from employment_records import services
from employment_records.models import (
    CorrectionRequest,
    Employee,
    EmploymentAction,
    normalised_name,
)
from employment_records.selectors import search_employees
from employment_records.tests.factories import ActionFactory, EmployeeFactory, EntityFactory

pytestmark = pytest.mark.django_db


def _joined(employee) -> str:
    return " ".join(
        [
            employee.first_name_ar,
            employee.father_name_ar,
            employee.grandfather_name_ar,
            employee.family_name_ar,
            employee.first_name_en,
            employee.father_name_en,
            employee.grandfather_name_en,
            employee.family_name_en,
        ]
    )


def _disagreeing_actions():
    return EmploymentAction.objects.exclude(entity_id=F("employee__entity_id"))


def _disagreeing_corrections():
    return CorrectionRequest.objects.exclude(entity_id=F("employee__entity_id"))


def _correction_of(employee):
    return services.submit_correction(
        employee=employee,
        data=services.CorrectionInput(
            field_name="family_name_ar",
            proposed_value="الزهراني",
            reason="كما في الهوية",
            evidence=[],
        ),
        actor=employee.user,
    )


def test_the_normalised_name_is_written_with_the_name():
    employee = EmployeeFactory(first_name_ar="عبد الله", family_name_ar="الشهرى")
    stored = Employee.objects.get(pk=employee.pk).name_normalised
    assert stored == normalise(_joined(employee))
    assert stored.startswith("عبدالله ") and "الشهري" in stored

    employee.family_name_ar = "القحطانى"
    employee.save(update_fields=["family_name_ar"])  # a partial save still refreshes it
    assert "القحطاني" in Employee.objects.get(pk=employee.pk).name_normalised
    assert "الشهري" not in Employee.objects.get(pk=employee.pk).name_normalised

    employee.step = 4
    employee.save(update_fields=["step"])  # no name part: nothing more written
    assert "القحطاني" in Employee.objects.get(pk=employee.pk).name_normalised


def test_a_name_corrected_by_hr_is_found_by_its_new_spelling():
    person = UserFactory(with_employee=True)
    hr = make_hr_specialist(person.employee.entity)
    request = services.submit_correction(
        employee=person.employee,
        data=services.CorrectionInput(
            field_name="family_name_ar",
            proposed_value="الزهرانى",
            reason="كما في الهوية",
            evidence=[],
        ),
        actor=person,
    )
    services.approve_correction(request=request, actor=hr)
    assert list(search_employees(Employee.objects.all(), "الزهراني")) == [person.employee]


def test_the_database_backfill_function_gives_what_python_stores():
    """Migration 0009 backfilled with masar_normalise() in SQL; save() stores normalise()."""
    employee = EmployeeFactory(
        first_name_ar="إبراهيم", father_name_ar="عبد  الرحمن", family_name_ar="آل مُحَمَّد"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT masar_normalise(first_name_ar || ' ' || father_name_ar || ' ' || "
            "grandfather_name_ar || ' ' || family_name_ar || ' ' || first_name_en || ' ' || "
            "father_name_en || ' ' || grandfather_name_en || ' ' || family_name_en) "
            "FROM employment_records_employee WHERE id = %s",
            [employee.pk],
        )
        assert cursor.fetchone()[0] == Employee.objects.get(pk=employee.pk).name_normalised


def test_an_action_always_takes_its_employees_entity():
    employee, elsewhere = EmployeeFactory(), EntityFactory()
    action = ActionFactory(employee=employee, entity=elsewhere)  # a caller's wrong entity
    assert EmploymentAction.objects.get(pk=action.pk).entity_id == employee.entity_id


def test_moving_an_employee_moves_their_actions_and_requests():
    employee = UserFactory(with_employee=True).employee
    other = EmployeeFactory()
    ActionFactory.create_batch(3, employee=employee)
    ActionFactory(employee=other)
    request = _correction_of(employee)
    assert request.entity_id == employee.entity_id
    employee.entity = EntityFactory()
    employee.save()
    assert set(employee.actions.values_list("entity_id", flat=True)) == {employee.entity_id}
    assert other.actions.get().entity_id == other.entity_id
    assert CorrectionRequest.objects.get(pk=request.pk).entity_id == employee.entity_id
    assert not _disagreeing_actions().exists() and not _disagreeing_corrections().exists()


def test_the_bulk_loaders_write_both_copies():
    call_command("seed_scale", employees=60, batch=25, stdout=StringIO())
    scale = Employee.objects.filter(national_id__regex=r"^[12]9")
    assert scale.count() == 60
    for employee in scale:
        assert employee.name_normalised == normalised_name(employee) != ""
    assert EmploymentAction.objects.filter(employee__in=scale).exists()
    assert not _disagreeing_actions().exists()


needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the composite foreign key is PostgreSQL's"
)


@needs_postgres
def test_postgresql_cascades_an_entity_change_made_behind_the_models_back():
    employee = UserFactory(with_employee=True).employee
    ActionFactory.create_batch(2, employee=employee)
    _correction_of(employee)
    Employee.objects.filter(pk=employee.pk).update(entity=EntityFactory())  # no save()
    assert not _disagreeing_actions().exists() and not _disagreeing_corrections().exists()


@needs_postgres
def test_postgresql_refuses_an_action_whose_entity_is_not_its_employees():
    action = ActionFactory()
    elsewhere = EntityFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        EmploymentAction.objects.filter(pk=action.pk).update(entity=elsewhere)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

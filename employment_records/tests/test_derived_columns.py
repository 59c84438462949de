"""The stored copies issue 16 added for the consoles never disagree with what they copy:
Employee.name_normalised (the trigram-indexed search name) and the entity on every row about
an employee (TakesEmployeesEntity: actions, training, scholarships, evaluations,
qualifications, volunteering, correction requests; each HR list's index), through every way
they are written: save(), a correction approved by HR, the bulk loaders, and on PostgreSQL
the database itself (composite foreign keys)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from accounts.tests.factories import UserFactory, make_hr_specialist
from core.search import normalise
from employment_records import services
from employment_records.models import (
    COPIES_OF_EMPLOYEES_ENTITY,
    CorrectionRequest,
    Employee,
    EmploymentAction,
    PerformanceEvaluation,
    Qualification,
    ScholarshipDecision,
    TakesEmployeesEntity,
    TrainingDecision,
    VolunteeringEntry,
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


def _disagreeing_rows() -> dict[str, int]:
    """Rows, by model, whose entity is not their employee's (empty when all agree)."""
    counts = {
        model.__name__: model.objects.exclude(entity_id=F("employee__entity_id")).count()
        for model in COPIES_OF_EMPLOYEES_ENTITY
    }
    return {name: count for name, count in counts.items() if count}


def _records_of(employee, *, entity=None) -> list:
    """One row of each record model about the employee; `entity` is a caller's wrong one."""
    named = {"employee": employee, **({"entity": entity} if entity else {})}
    dates = {"start_date": dt.date(2024, 1, 1), "end_date": dt.date(2024, 3, 1)}
    decision = {"decision_number": "D-1", "decision_date": dt.date(2023, 12, 1)}
    return [
        ActionFactory(**named),
        TrainingDecision.objects.create(
            **named, **dates, **decision, title_ar="برنامج", title_en="Course", provider="IPA"
        ),
        ScholarshipDecision.objects.create(
            **named,
            **dates,
            **decision,
            degree="master",
            field_of_study="Law",
            institution="KSU",
            country="SA",
        ),  # fmt: skip
        PerformanceEvaluation.objects.create(**named, year=1446, score=91, rating="excellent"),
        Qualification.objects.create(
            **named,
            level="bachelor",
            major="Law",
            institution="KSU",
            graduation_date=dt.date(2010, 6, 1),
        ),  # fmt: skip
        VolunteeringEntry.objects.create(**named, **dates, organisation="Charity", hours=20),
    ]


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


def test_every_model_about_an_employee_with_an_entity_copy_is_kept_in_step():
    """A new model that copies the entity must be moved with the employee on SQLite."""
    copies = {
        model
        for model in apps.get_models()
        if issubclass(model, TakesEmployeesEntity) and not model._meta.proxy
    }
    assert copies == set(COPIES_OF_EMPLOYEES_ENTITY)


def test_every_record_always_takes_its_employees_entity():
    employee, elsewhere = EmployeeFactory(), EntityFactory()
    records = _records_of(employee, entity=elsewhere)
    for record in records:
        assert type(record).objects.get(pk=record.pk).entity_id == employee.entity_id
    assert not _disagreeing_rows()


def test_moving_an_employee_moves_every_row_about_them():
    employee = UserFactory(with_employee=True).employee
    other = EmployeeFactory()
    ActionFactory.create_batch(3, employee=employee)
    mine, theirs = _records_of(employee), _records_of(other)
    request = _correction_of(employee)
    assert request.entity_id == employee.entity_id
    employee.entity = EntityFactory()
    employee.save()
    assert set(employee.actions.values_list("entity_id", flat=True)) == {employee.entity_id}
    for record in mine:
        assert type(record).objects.get(pk=record.pk).entity_id == employee.entity_id
    for record in theirs:
        assert type(record).objects.get(pk=record.pk).entity_id == other.entity_id
    assert CorrectionRequest.objects.get(pk=request.pk).entity_id == employee.entity_id
    assert not _disagreeing_rows()


def test_the_bulk_loaders_write_every_copy():
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_scale", employees=60, batch=25, stdout=StringIO())
    scale = Employee.objects.filter(national_id__regex=r"^[12]9")
    assert scale.count() == 60
    for employee in scale:
        assert employee.name_normalised == normalised_name(employee) != ""
    for model in (EmploymentAction, PerformanceEvaluation, Qualification, TrainingDecision):
        assert model.objects.filter(employee__in=scale).exists(), model
        assert model.objects.exclude(employee__in=scale).exists(), model  # seed_demo's
    assert not _disagreeing_rows()


needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the composite foreign key is PostgreSQL's"
)


@needs_postgres
def test_postgresql_cascades_an_entity_change_made_behind_the_models_back():
    employee = UserFactory(with_employee=True).employee
    ActionFactory.create_batch(2, employee=employee)
    _records_of(employee)
    _correction_of(employee)
    Employee.objects.filter(pk=employee.pk).update(entity=EntityFactory())  # no save()
    assert not _disagreeing_rows()


@needs_postgres
@pytest.mark.parametrize(
    "index",
    range(6),
    ids=["action", "training", "scholarship", "evaluation", "qualification", "volunteering"],
)
def test_postgresql_refuses_a_record_whose_entity_is_not_its_employees(index):
    record = _records_of(EmployeeFactory())[index]
    elsewhere = EntityFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(record).objects.filter(pk=record.pk).update(entity=elsewhere)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@needs_postgres
def test_postgresql_gives_a_record_written_without_its_entity_the_employees():
    """The trigger of migration 0018: code that does not know the column (the release still
    serving during a deployment, a raw insert) writes rows that take their employee's entity,
    and NOT NULL holds."""
    employee = EmployeeFactory()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO employment_records_performanceevaluation (employee_id, year, score, "
            "rating) VALUES (%s, 1440, 80, 'good') RETURNING id",
            [employee.pk],
        )
        pk = cursor.fetchone()[0]
    assert PerformanceEvaluation.objects.get(pk=pk).entity_id == employee.entity_id
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname LIKE '%%takes_employees_entity'"
        )
        tables = {row[0] for row in cursor.fetchall()}
    records = (TrainingDecision, ScholarshipDecision, PerformanceEvaluation, Qualification)
    assert tables == {model._meta.db_table for model in (*records, VolunteeringEntry)}

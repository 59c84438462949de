"""core.prepared: a query whose SQL is built once gives what its queryset gives, counts as a
query, and refuses arguments it could not bind."""

import threading
from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.prepared import PreparedQuery
from employment_records.models import Employee, EmploymentAction
from employment_records.tests.factories import ActionFactory, EmployeeFactory

pytestmark = pytest.mark.django_db(transaction=False)

RELATED = ("entity", "unit", "position__job_class")


def employees_of_entity():
    return PreparedQuery(
        lambda entity_id: (
            Employee.objects.select_related(*RELATED)
            .filter(entity_id=entity_id)
            .order_by("national_id")
        )
    )


def fields_of(employee: Employee) -> dict:
    values = {f.attname: getattr(employee, f.attname) for f in Employee._meta.concrete_fields}
    position = employee.position
    return {
        **values,
        "entity": (employee.entity.pk, employee.entity.name_ar),
        "unit": (employee.unit.pk, employee.unit.name_en) if employee.unit else None,
        "job_class": (position.job_class.pk, position.job_class.code) if position else None,
    }


def test_gives_the_instances_the_queryset_gives_with_their_relations():
    first = EmployeeFactory()
    EmployeeFactory(entity=first.entity)
    EmployeeFactory()  # another entity's: left out
    prepared = employees_of_entity()
    expected = list(
        Employee.objects.select_related(*RELATED)
        .filter(entity_id=first.entity_id)
        .order_by("national_id")
    )

    got = prepared(first.entity_id)

    assert [fields_of(e) for e in got] == [fields_of(e) for e in expected]
    assert len(got) == 2
    # Relations come joined in: reading them costs no query; dates are dates on every backend.
    with CaptureQueriesContext(connection) as queries:
        for employee in got:
            assert employee.entity.name_ar
            assert isinstance(employee.hire_date, date)
            assert not employee._state.adding
            assert employee._state.db == "default"
    assert len(queries) == 0


def test_builds_the_sql_once_and_binds_each_call_s_arguments():
    one, other = EmployeeFactory(), EmployeeFactory()
    built = []

    def build(entity_id):
        built.append(entity_id)
        return Employee.objects.filter(entity_id=entity_id)

    prepared = PreparedQuery(build)
    assert [e.pk for e in prepared(one.entity_id)] == [one.pk]
    assert [e.pk for e in prepared(other.entity_id)] == [other.pk]
    assert prepared.first(-1) is None
    # Once to learn the model, twice to compile (to find the arguments): never per call.
    assert len(built) == 3

    with CaptureQueriesContext(connection) as queries:
        prepared(one.entity_id)
    assert len(queries) == 1  # counted like any query


def test_several_arguments_and_fixed_values_stay_in_their_places():
    employee = EmployeeFactory()
    kept = ActionFactory(employee=employee, action_type="promotion")
    ActionFactory(employee=employee, action_type="annual_increment")
    prepared = PreparedQuery(
        lambda employee_id, entity_id: EmploymentAction.objects.filter(
            employee_id=employee_id, entity_id=entity_id, action_type__in=["promotion"]
        ),
        arguments=2,
    )
    assert [a.pk for a in prepared(employee.pk, kept.entity_id)] == [kept.pk]
    with pytest.raises(TypeError):
        prepared(employee.pk)


def test_values_rows_are_dicts_like_the_queryset_s():
    employee = EmployeeFactory()
    ActionFactory(employee=employee)
    ActionFactory(employee=employee)
    from django.db.models import Count

    prepared = PreparedQuery(
        lambda employee_id: (
            EmploymentAction.objects.filter(employee_id=employee_id)
            .values("employee_id")
            .annotate(n=Count("id"))
        )
    )
    assert prepared(employee.pk) == [{"employee_id": employee.pk, "n": 2}]
    assert prepared(-5) == []


def test_a_constant_equal_to_a_stand_in_argument_is_not_taken_for_one():
    employee = EmployeeFactory(rank=8)
    prepared = PreparedQuery(
        # 32749 is the first stand-in the query is compiled with: it must stay a constant.
        lambda employee_id: Employee.objects.filter(pk=employee_id).exclude(step=32749)
    )
    assert [e.pk for e in prepared(employee.pk)] == [employee.pk]


def test_refuses_an_argument_that_does_not_reach_the_sql_as_a_parameter():
    EmployeeFactory()
    # Sliced by the argument: LIMIT is written into the SQL, so it could not be bound later.
    prepared = PreparedQuery(lambda count: Employee.objects.all()[: abs(count)])
    with pytest.raises(ImproperlyConfigured):
        prepared(1)


def test_threads_preparing_at_once_share_one_plan():
    prepared = employees_of_entity()
    plans, errors = [], []
    barrier = threading.Barrier(4)

    def prepare():
        try:
            barrier.wait()
            plans.append(prepared._plan()[1])  # compiling needs no query
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=prepare) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(plans) == 4
    assert all(plan is plans[0] for plan in plans)


def test_prepared_pages_give_what_the_queryset_s_paginator_gives():
    from django.core.paginator import Paginator

    from core.prepared import PreparedPages

    employee = EmployeeFactory()
    for _ in range(7):
        ActionFactory(employee=employee)
    ActionFactory()  # someone else's

    def actions_of(employee_id):
        return EmploymentAction.objects.filter(employee_id=employee_id).order_by(
            "-effective_date", "-id"
        )

    pages = PreparedPages(actions_of, page_size=3, owner_field="employee_id")
    for number in (1, 2, 3, "4", "x"):
        prepared = Paginator(pages.of(employee.pk), 3).get_page(number)
        plain = Paginator(actions_of(employee.pk), 3).get_page(number)
        assert prepared.number == plain.number
        assert prepared.paginator.count == 7
        assert [a.pk for a in prepared.object_list] == [a.pk for a in plain.object_list]

    nobody = Paginator(pages.of(-1), 3).get_page(1)
    assert nobody.paginator.count == 0
    assert list(nobody.object_list) == []
    # Page 1 of a short list (the paginator asks for fewer rows than a page) is prepared too.
    few = EmployeeFactory()
    ActionFactory(employee=few)
    with CaptureQueriesContext(connection) as queries:
        page = Paginator(pages.of(few.pk), 3).get_page(1)
        assert len(page.object_list) == 1
    assert len(queries) == 2

"""The console homes' queues (core.work_queues, issue 16): a queue's counts in one pass over
its rows, without joining them to employees to leave the specialist's own out."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import grant_all, make_hr_specialist
from core.work_queues import queue_named, summarise
from grievances.models import Grievance
from grievances.tests.factories import file_grievance, grievance_user

pytestmark = pytest.mark.django_db


def test_a_queue_is_counted_in_one_pass_and_leaves_the_specialists_own_out():
    colleague = grievance_user()
    entity = colleague.employee.entity
    specialist = _specialist_of(entity)
    now = timezone.now()
    for days in (-3, -1, 2, 5, 20):  # two late, two due within the week, one later
        grievance = file_grievance(colleague)
        Grievance.objects.filter(pk=grievance.pk).update(due_at=now + dt.timedelta(days=days))
    file_grievance(specialist)  # their own: never in their queue

    queue = queue_named("grievances.to_assign")
    specialist.employee  # noqa: B018 - read once per request by the access policy already
    with CaptureQueriesContext(connection) as queries:
        summary = summarise(queue, user=specialist, entity_id=entity.pk, today=timezone.localdate())
    assert (summary.count, summary.overdue, summary.due_soon) == (5, 2, 2)
    assert len(summary.items) == 5
    sqls = [query["sql"] for query in queries.captured_queries]
    assert len(sqls) == 2, sqls  # the counts, then the first rows
    assert not [sql for sql in sqls if "employment_records_employee" in sql], sqls


def _specialist_of(entity):
    """An HR specialist of `entity` who is also one of its employees, every service granted."""
    user = make_hr_specialist(entity, with_employee=True, nafath_verified_at=timezone.now())
    user.employee.entity = entity
    user.employee.save()
    grant_all(user.employee)
    return user


def test_the_correction_queue_reads_its_entity_without_joining_employees():
    from employment_records import services

    colleague = grievance_user()
    entity = colleague.employee.entity
    specialist = _specialist_of(entity)
    asked = [
        (colleague, "family_name_en"),
        (colleague, "first_name_en"),
        (specialist, "family_name_en"),
        (grievance_user(), "family_name_en"),  # another entity's request
    ]
    for person, field in asked:
        services.submit_correction(
            employee=person.employee,
            data=services.CorrectionInput(
                field_name=field, proposed_value="Zahrani", reason="As on my ID", evidence=[]
            ),
            actor=person,
        )
    queue = queue_named("corrections.to_review")
    specialist.employee  # noqa: B018 - read once per request by the access policy already
    with CaptureQueriesContext(connection) as queries:
        summary = summarise(queue, user=specialist, entity_id=entity.pk, today=timezone.localdate())
    assert summary.count == 2  # the colleague's two: not their own, not another entity's
    sqls = [query["sql"] for query in queries.captured_queries]
    assert not [sql for sql in sqls if "employment_records_employee" in sql], sqls


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner is asked")
def test_the_homes_recent_actions_come_in_the_order_of_an_index(client):
    """The specialist's own recent actions: an index on (actor, -at, -id) gives them in order
    for any actor. Walking the whole log's time index and filtering by actor is slow for a
    specialist whose actions are all old; sorting an actor's rows is slow for a busy one."""
    from accounts.tests.factories import sign_in_verified

    colleague = grievance_user()
    specialist = _specialist_of(colleague.employee.entity)
    sign_in_verified(client, specialist)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/hr/").status_code == 200
    mine = [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "core_auditevent"' in q["sql"] and '"actor_id" =' in q["sql"]
    ]
    assert len(mine) == 1, "the home's recent actions"
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")  # until the test's transaction ends
        cursor.execute("SET LOCAL enable_incremental_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + mine[0])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Sort" not in plan and "Index Cond: (actor_id =" in plan, plan

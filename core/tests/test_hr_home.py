"""The HR console's home: queues with counts and deadlines, and the specialist's own actions."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import make_hr_specialist, sign_in_verified
from core.audit import audit
from employment_records.tests.factories import EntityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def specialist(client):
    user = make_hr_specialist(EntityFactory())
    sign_in_verified(client, user)
    return user


def make_grievance(entity, *, due_in_days, user=None):
    from grievances.models import Grievance
    from grievances.tests.factories import file_grievance, grievance_user

    user = user or grievance_user()
    user.employee.entity = entity
    user.employee.save()
    grievance = file_grievance(user)
    Grievance.objects.filter(pk=grievance.pk).update(
        due_at=timezone.now() + dt.timedelta(days=due_in_days)
    )
    return grievance


def test_home_counts_queues_and_marks_deadlines(client, specialist, django_assert_max_num_queries):
    entity = specialist.hr_profile.entity
    late = make_grievance(entity, due_in_days=-2)
    make_grievance(entity, due_in_days=3)
    make_grievance(entity, due_in_days=30)
    make_grievance(EntityFactory(), due_in_days=-5)  # another entity's: never counted
    with django_assert_max_num_queries(30):
        response = client.get(reverse("hr:index"))
    assert response.status_code == 200
    to_assign = next(s for s in response.context["queues"] if s.queue.key == "grievances.to_assign")
    assert (to_assign.count, to_assign.overdue, to_assign.due_soon) == (3, 1, 1)
    assert to_assign.items[0].label == late.number  # the most urgent first
    assert to_assign.items[0].overdue
    text = response.content.decode()
    assert late.number in text
    assert reverse("hr:grievances_grievance_change", args=[late.pk]) in text


def test_a_grievance_about_the_specialist_is_not_in_their_queue(client):
    from accounts.tests.factories import grant_all

    entity = EntityFactory()
    specialist = make_hr_specialist(entity, with_employee=True, nafath_verified_at=timezone.now())
    grant_all(specialist.employee)
    sign_in_verified(client, specialist)
    own = make_grievance(entity, due_in_days=5, user=specialist)
    response = client.get(reverse("hr:index"))
    assert own.number not in response.content.decode()


def test_home_lists_the_specialists_own_recent_actions(client, specialist):
    audit(action="hr.employee.change", actor=specialist)
    response = client.get(reverse("hr:index"))
    assert [event.action for event in response.context["my_actions"]] == ["hr.employee.change"]


def test_the_queries_do_not_grow_with_the_queue(client, specialist):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    entity = specialist.hr_profile.entity
    make_grievance(entity, due_in_days=1)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("hr:index"))
    for days in range(20):
        make_grievance(entity, due_in_days=days)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("hr:index"))
    assert len(many) == len(few)

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


def test_the_recent_actions_are_in_words_not_codes(client, specialist):
    from core.audit import action_label

    grievance = make_grievance(specialist.hr_profile.entity, due_in_days=5)
    audit(action="grievance.decide", actor=specialist, subject=grievance)
    page = client.get(reverse("hr:index"), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    section = page.split('id="mine-title"', 1)[1].split("</section>", 1)[0]
    assert "grievance.decide" not in section and "grievances.grievance" not in section
    assert action_label("grievance.decide") in section
    assert "تظلم" in section  # the subject's kind, in Arabic


def test_the_queries_do_not_grow_with_the_queue(client, specialist):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    entity = specialist.hr_profile.entity
    make_grievance(entity, due_in_days=1)
    client.get(reverse("hr:index"))  # both measured warm (the user, the sidebar's app list)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("hr:index"))
    for days in range(20):
        make_grievance(entity, due_in_days=days)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("hr:index"))
    assert len(many) == len(few)


def test_the_ministry_home_shows_the_queues_its_roles_may_see(client):
    """Job variables submitted by any entity wait on the ministry's home for those who may see
    them (an auditor), not for the help desk; role changes wait for an administrator."""
    from django.contrib.auth.models import Group

    from accounts.models import RoleChangeRequest
    from accounts.tests.factories import UserFactory
    from core.hr_admin import MINISTRY_AUDITORS, MINISTRY_HELP_DESK, sync_role_groups
    from job_audit.models import RequestStatus, VariableRequest
    from tests.test_access_control import _variable_request

    sync_role_groups()
    for entity in (EntityFactory(), EntityFactory()):
        request = _variable_request(entity)
        VariableRequest.objects.filter(pk=request.pk).update(
            status=RequestStatus.SUBMITTED, due_at=timezone.now() - dt.timedelta(days=1)
        )
    _variable_request(EntityFactory())  # a draft: not the ministry's yet
    RoleChangeRequest.objects.create(
        user=UserFactory(), is_staff=True, is_superuser=False, reason="x",
        requested_by=UserFactory(),
    )  # fmt: skip

    def queues_of(group_name):
        user = UserFactory(is_staff=True)
        user.groups.add(Group.objects.get(name=group_name))
        client.logout()
        sign_in_verified(client, user)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 200
        return {s.queue.key: s for s in response.context["queues"]}, response.content.decode()

    auditors, page = queues_of(MINISTRY_AUDITORS)
    waiting = auditors["job_audit.waiting_for_the_ministry"]
    assert (waiting.count, waiting.overdue) == (2, 2)
    assert auditors["accounts.role_changes_waiting"].count == 1
    assert "هـ" in page  # the due dates in both calendars
    help_desk, _page = queues_of(MINISTRY_HELP_DESK)
    assert "job_audit.waiting_for_the_ministry" not in help_desk

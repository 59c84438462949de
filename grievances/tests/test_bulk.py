"""Bulk work in the HR console (issue 15): assign several grievances at once, export a list or
a home queue to CSV. Always the specialist's entity only; every refusal named."""

import csv
import io

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import grant_all, sign_in_verified
from core.console_lists import app_list_cache
from core.models import AuditEvent
from employment_records.tests.factories import EntityFactory
from grievances import services
from grievances.models import Grievance, Status

from .factories import file_grievance, grievance_user, hr_for

pytestmark = pytest.mark.django_db

CHANGELIST = "hr:grievances_grievance_changelist"


@pytest.fixture
def entity():
    return grievance_user().employee.entity


@pytest.fixture
def actor(client, entity):
    user = hr_for(entity, with_employee=True)
    user.employee.entity = entity
    user.employee.save()
    sign_in_verified(client, user)
    return user


@pytest.fixture
def assignee(entity):
    """A second specialist of the entity, with an employee record (so a grievance can be
    about them)."""
    user = hr_for(entity, with_employee=True, nafath_verified_at=timezone.now())
    user.employee.entity = entity
    user.employee.save()
    grant_all(user.employee)
    return user


def filed_in(entity, count=1):
    grievances = []
    for _ in range(count):
        person = grievance_user()
        person.employee.entity = entity
        person.employee.save()
        grievances.append(file_grievance(person))
    return grievances


def post_action(client, ids, **data):
    return client.post(
        reverse(CHANGELIST),
        {"action": "assign_selected", "_selected_action": [str(pk) for pk in ids], **data},
    )


def texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_assign_several_grievances_at_once_each_audited_and_refusals_named(
    client, actor, assignee, entity
):
    ours = filed_in(entity, 3)
    about_assignee = file_grievance(assignee)  # nobody is given a grievance about themselves
    decided = filed_in(entity)[0]
    Grievance.objects.filter(pk=decided.pk).update(
        status=Status.DECIDED, outcome="rejected", reasoning="x", decided_at=timezone.now()
    )
    theirs = filed_in(EntityFactory())[0]
    selected = [g.pk for g in [*ours, about_assignee, decided, theirs]]

    page = post_action(client, selected)  # first the page that chooses the specialist
    assert page.status_code == 200
    body = page.content.decode()
    assert all(g.number in body for g in ours) and theirs.number not in body

    events_before = AuditEvent.objects.count()
    response = post_action(client, selected, apply="1", specialist=str(assignee.pk))
    assert response.status_code == 302

    assigned = set(Grievance.objects.filter(assigned_to=assignee).values_list("pk", flat=True))
    assert assigned == {g.pk for g in ours}
    for grievance in ours:
        grievance.refresh_from_db()
        assert grievance.status == Status.UNDER_REVIEW
    theirs.refresh_from_db()
    assert theirs.assigned_to is None and theirs.status == Status.SUBMITTED
    assert AuditEvent.objects.count() - events_before == len(ours)  # one event a grievance

    messages = texts(response)
    refused = [m for m in messages if about_assignee.number in m or decided.number in m]
    assert len(refused) == 2, messages
    assert all(theirs.number not in m for m in messages)  # another entity's: not even named


def test_the_refusal_messages_say_why(client, actor, assignee, entity, settings):
    about_assignee = file_grievance(assignee)
    response = client.post(
        reverse(CHANGELIST),
        {
            "action": "assign_selected",
            "_selected_action": [str(about_assignee.pk)],
            "apply": "1",
            "specialist": str(assignee.pk),
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    (message,) = texts(response)
    assert about_assignee.number in message
    assert "was not assigned" in message


def test_the_choice_page_costs_the_same_for_many_grievances(client, actor, entity):
    def queries_for(count):
        ids = [g.pk for g in filed_in(entity, count)]
        cache.clear()  # both counted with nothing cached (the header's unread count is)
        app_list_cache.clear()  # (and the console's sidebar, in the process)
        with CaptureQueriesContext(connection) as captured:
            assert post_action(client, ids).status_code == 200
        return len(captured)

    assert queries_for(6) == queries_for(2)


def test_the_service_locks_and_skips_another_entitys_grievances(actor, assignee, entity):
    ours = filed_in(entity, 2)
    theirs = filed_in(EntityFactory())[0]
    result = services.assign_grievances(
        grievance_ids=[theirs.pk, *(g.pk for g in ours)], specialist=assignee, actor=actor
    )
    assert sorted(result.assigned) == sorted(g.number for g in ours)
    assert result.refused == []
    theirs.refresh_from_db()
    assert theirs.assigned_to is None


# --- CSV --------------------------------------------------------------------------------------


def read_csv(response):
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())  # Excel reads the Arabic as Arabic
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_the_grievance_list_exports_to_csv_scoped_and_in_both_calendars(client, actor, entity):
    ours = filed_in(entity, 2)
    theirs = filed_in(EntityFactory())[0]
    rows = read_csv(client.get(reverse("hr:grievances_grievance_export_csv")))
    header, body = rows[0], rows[1:]
    numbers = [row[0] for row in body]
    assert sorted(numbers) == sorted(g.number for g in ours)
    assert theirs.number not in numbers
    # the filing date twice: Hijri (14xx-..) then Gregorian (20xx-..)
    hijri, gregorian = header.index("تاريخ التقديم (هجري)"), header.index("تاريخ التقديم (ميلادي)")
    assert body[0][hijri].startswith("14") and body[0][gregorian].startswith("20")
    # the list's own filter applies to the export
    filtered = read_csv(
        client.get(reverse("hr:grievances_grievance_export_csv"), {"status__exact": Status.DECIDED})
    )
    assert filtered[1:] == []


def test_the_export_costs_the_same_for_many_rows(client, actor, entity):
    url = reverse("hr:grievances_grievance_export_csv")

    def queries_for(count):
        filed_in(entity, count)
        with CaptureQueriesContext(connection) as captured:
            rows = read_csv(client.get(url))
        return len(captured), len(rows)

    client.get(url)  # both measured with the per-user caches warm
    few, few_rows = queries_for(2)
    many, many_rows = queries_for(6)
    assert many_rows == few_rows + 6
    assert many == few


def test_the_selected_rows_export_as_an_action(client, actor, entity):
    ours = filed_in(entity, 3)
    theirs = filed_in(EntityFactory())[0]
    response = client.post(
        reverse(CHANGELIST),
        {
            "action": "export_selected_csv",
            "_selected_action": [str(ours[0].pk), str(theirs.pk)],
        },
    )
    rows = read_csv(response)
    assert [row[0] for row in rows[1:]] == [ours[0].number]


def test_a_home_queue_exports_its_own_rows(client, actor, entity):
    waiting = filed_in(entity, 2)
    theirs = filed_in(EntityFactory())[0]
    home = client.get(reverse("hr:index")).content.decode()
    assert "queue=grievances.to_assign" in home
    rows = read_csv(client.get(reverse("hr:queue_export"), {"queue": "grievances.to_assign"}))
    numbers = [row[0] for row in rows[1:]]
    assert sorted(numbers) == sorted(g.number for g in waiting)
    assert theirs.number not in numbers
    assert client.get(reverse("hr:queue_export"), {"queue": "nope"}).status_code == 404


def test_the_correction_list_exports_too(client, actor, entity):
    from accounts.tests.factories import UserFactory
    from employment_records.tests.factories import EmployeeFactory
    from employment_records.tests.helpers import submit_dob_correction

    subject = EmployeeFactory(entity=entity)
    subject.user = UserFactory()
    subject.save()
    correction = submit_dob_correction(subject, subject.user)
    rows = read_csv(client.get(reverse("hr:employment_records_correctionrequest_export_csv")))
    assert [row[0] for row in rows[1:]] == [correction.number]
    assert timezone.localdate().isoformat() in ",".join(rows[1])

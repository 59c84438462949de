"""The employee's page of a grievance reads it with prepared queries (core.prepared, issue 16):
it must show exactly what the ORM's prefetching gave, and compile no SQL once warm."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory, sign_in_verified
from grievances import selectors
from grievances.models import GrievanceAttachment, GrievanceMessage

from .factories import file_grievance, grievance_user, hr_for

pytestmark = pytest.mark.django_db


def attachment(grievance, name, **fields):
    return GrievanceAttachment.objects.create(
        grievance=grievance,
        storage_name=f"grievances/{grievance.pk}/{name}",
        original_name=name,
        content_type="application/pdf",
        size=100,
        **fields,
    )


@pytest.fixture
def grievance():
    person = grievance_user()
    grievance = file_grievance(person)
    hr = hr_for(person.employee.entity)
    question = GrievanceMessage.objects.create(grievance=grievance, from_hr=True, body="؟")
    answer = GrievanceMessage.objects.create(grievance=grievance, from_hr=False, body="نعم")
    attachment(grievance, "filed.pdf")
    attachment(grievance, "answer-1.pdf", message=answer)
    attachment(grievance, "answer-2.pdf", message=answer)
    attachment(grievance, "letter.pdf", decision_letter=True)
    grievance.decided_by = hr
    grievance.decided_at = timezone.now()
    grievance.save(update_fields=["decided_by", "decided_at"])
    assert question.pk
    return grievance


def shown(grievance) -> dict:
    return {
        "grievance": (grievance.pk, grievance.number, grievance.entity.name_ar),
        "employee": (grievance.employee.pk, grievance.employee.national_id),
        "statuses": [s.pk for s in grievance.statuses.all()],
        "messages": [
            (m.pk, m.from_hr, [a.original_name for a in m.attachments.all()])
            for m in grievance.messages.all()
        ],
        "open_question": grievance.open_question.pk if grievance.open_question else None,
        "filed": [a.original_name for a in grievance.filing_attachments],
        "letters": [a.original_name for a in grievance.decision_letters],
        "decided_by": grievance.decided_by.display_name if grievance.decided_by else None,
    }


def test_the_prepared_page_shows_what_the_orm_prefetched(grievance):
    user = grievance.employee.user
    expected = shown(
        selectors._detail_queryset(for_hr=False).get(employee__user=user, number=grievance.number)
    )
    got = selectors.access_grievance_for_employee(user=user, number=f" {grievance.number} ")
    with CaptureQueriesContext(connection) as queries:
        assert shown(got) == expected
    # Only the decider's name (their employee row) is read on demand, as before.
    assert len(queries) <= 1
    assert expected["messages"][1][2] == ["answer-1.pdf", "answer-2.pdf"]
    assert expected["filed"] == ["filed.pdf"] and expected["letters"] == ["letter.pdf"]


def test_another_person_s_number_is_a_404(grievance):
    from django.http import Http404

    stranger = grievance_user()
    with pytest.raises(Http404):
        selectors.access_grievance_for_employee(user=stranger, number=grievance.number)
    without_record = UserFactory()
    with pytest.raises(Http404):
        selectors.access_grievance_for_employee(user=without_record, number=grievance.number)


def test_the_page_compiles_no_sql_once_warm(client, grievance, compiled_sql):
    sign_in_verified(client, grievance.employee.user)
    url = reverse("grievances:detail", args=[grievance.number])
    assert client.get(url).status_code == 200
    compiled_sql.clear()
    page = client.get(url)
    assert page.status_code == 200
    assert "filed.pdf" in page.content.decode()
    assert compiled_sql == []

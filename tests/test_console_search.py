"""The consoles' search boxes (core.console_lists.search_by_probes, issue 16): each field is
asked on its own, exactly where it is an identifier, so each query can use its index; what
is found is what Django's own search would find."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory, sign_in_verified
from core import console_lists
from core.models import AuditEvent
from grievances.models import Grievance
from grievances.tests.factories import file_grievance, grievance_user, hr_for

pytestmark = pytest.mark.django_db

GRIEVANCES = reverse("admin:grievances_grievance_changelist")
HR_GRIEVANCES = reverse("hr:grievances_grievance_changelist")


@pytest.fixture
def filed():
    first, second = grievance_user(), grievance_user()
    return [
        file_grievance(first, decision_number="1448/00123"),
        file_grievance(first, decision_number="1448/00999"),
        file_grievance(second, decision_number="1448/00123"),
    ]


@pytest.fixture
def ministry(client):
    sign_in_verified(client, UserFactory(is_staff=True, is_superuser=True))
    return client


def _found(client, url, term) -> list[str]:
    response = client.get(url, {"q": term})
    assert response.status_code == 200
    return sorted(row.number for row in response.context["cl"].result_list)


def test_a_number_a_national_id_or_a_decision_finds_exactly_its_rows(ministry, filed):
    first, second, third = filed
    assert _found(ministry, GRIEVANCES, first.number) == [first.number]
    assert _found(ministry, GRIEVANCES, first.number.lower()) == [first.number]  # typed small
    national_id = first.employee.national_id
    assert _found(ministry, GRIEVANCES, f"  {national_id} ") == sorted(
        [first.number, second.number]
    )
    assert _found(ministry, GRIEVANCES, "1448/00123") == sorted([first.number, third.number])
    assert _found(ministry, GRIEVANCES, "1448/001") == []  # part of a number: not a match
    assert _found(ministry, GRIEVANCES, "no such thing") == []


def test_every_word_must_be_found(ministry, filed):
    first, _second, third = filed
    both = f"1448/00123 {first.employee.national_id}"
    assert _found(ministry, GRIEVANCES, both) == [first.number]
    assert _found(ministry, GRIEVANCES, f"1448/00123 {third.number}") == [third.number]


def test_the_hr_console_searches_its_entity_only(client, filed):
    first = filed[0]
    other = grievance_user()  # another entity's grievance, same decision number
    theirs = file_grievance(other, decision_number="1448/00123")
    sign_in_verified(client, hr_for(first.entity))
    assert theirs.number not in _found(client, HR_GRIEVANCES, "1448/00123")
    assert _found(client, HR_GRIEVANCES, theirs.number) == []


def test_each_field_is_asked_on_its_own_through_its_index(ministry, filed):
    """No `LIKE`, and no OR joining the grievance to its employee (which no index serves)."""
    with CaptureQueriesContext(connection) as queries:
        _found(ministry, GRIEVANCES, filed[0].employee.national_id)
    searched = [q["sql"] for q in queries.captured_queries if "grievances_grievance" in q["sql"]]
    assert searched
    for sql in searched:
        assert "LIKE" not in sql.upper(), sql
        assert not ("employment_records_employee" in sql and " OR " in sql), sql


def test_a_word_found_in_many_rows_is_listed_uncounted(ministry, filed, monkeypatch):
    """Past the count limit the probes stop and the search is one query, walked in the list's
    order, shown as "more than" the limit."""
    monkeypatch.setattr(console_lists, "EXACT_COUNT_LIMIT", 1)
    response = ministry.get(GRIEVANCES, {"q": "1448/00123"})
    cl = response.context["cl"]
    assert sorted(row.number for row in cl.result_list) == sorted(
        [filed[0].number, filed[2].number]
    )
    assert not cl.paginator.count_is_exact and cl.paginator.count == 2  # "more than 1"


def test_a_word_that_cannot_be_a_fields_value_is_not_an_error(ministry, filed):
    # The audit log's search is the actor's national ID; anything else finds nothing.
    AuditEvent.objects.create(action="grievance.submit", subject_type="grievance", subject_id="1")
    response = ministry.get(reverse("admin:core_auditevent_changelist"), {"q": "%_' OR 1=1"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
    assert Grievance.objects.count() == 3

"""The job variables waiting on the entity, on the HR console home; the ministry's queue list
at scale (seek pages, no count over every request, typed filters)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import sign_in_verified
from core import console_lists
from job_audit import services
from job_audit.models import VariableRequest
from job_audit.services import VariableInput

from .factories import auditor, clean_inventory, specialist

pytestmark = pytest.mark.django_db


def submitted(entity, position, *, preparer, title="Upgrade", kind="upgrade", **fields):
    if kind == "upgrade":
        fields.setdefault("new_rank", 9)
    variable_request = services.create_request(entity_id=entity.pk, title=title, actor=preparer)
    services.add_variable(
        request_id=variable_request.pk,
        entity_id=entity.pk,
        data=VariableInput(type=kind, position=position, justification="x", **fields),
        actor=preparer,
    )
    services.submit_request(request_id=variable_request.pk, entity_id=entity.pk, actor=preparer)
    return variable_request


def returned(variable_request, *, days_left):
    services.decide_request(
        request_id=variable_request.pk, step="return", actor=auditor(), note="Attach the decision"
    )
    VariableRequest.objects.filter(pk=variable_request.pk).update(
        changes_due_at=timezone.now() + dt.timedelta(days=days_left)
    )
    return variable_request


def queue_of(response):
    return next(s for s in response.context["queues"] if s.queue.key == "job_audit.to_submit")


def test_the_hr_home_lists_returned_requests_by_due_date_then_drafts(
    client, django_assert_max_num_queries
):
    entity, _unit, _cls, employees = clean_inventory(occupied=4, vacant=0, frozen=0)
    user = specialist(entity)
    late = returned(submitted(entity, employees[0].position, preparer=user), days_left=-1)
    soon = returned(submitted(entity, employees[1].position, preparer=user), days_left=3)
    draft = services.create_request(entity_id=entity.pk, title="Draft", actor=user)
    waiting = submitted(entity, employees[2].position, preparer=user)  # the ministry's turn
    other_entity, _u, _c, theirs = clean_inventory(occupied=1, vacant=0, frozen=0)
    their_hr = specialist(other_entity)
    returned(submitted(other_entity, theirs[0].position, preparer=their_hr), days_left=-5)
    sign_in_verified(client, user)
    with django_assert_max_num_queries(40):
        response = client.get(reverse("hr:index"))
    summary = queue_of(response)
    assert (summary.count, summary.overdue, summary.due_soon) == (3, 1, 1)
    assert [item.label for item in summary.items] == [late.number, soon.number, draft.number]
    assert summary.items[0].overdue and summary.items[2].due is None
    page = response.content.decode()
    assert reverse("hr:job_audit_variablerequest_change", args=[late.pk]) in page
    assert waiting.number not in page
    # Submitting again stops the entity's clock: the request leaves the queue.
    services.submit_request(request_id=late.pk, entity_id=entity.pk, actor=user)
    late.refresh_from_db()
    assert late.changes_due_at is None
    assert late.number not in client.get(reverse("hr:index")).content.decode()


def test_the_queue_is_for_specialists_holding_the_grant(client):
    entity, *_ = clean_inventory(occupied=1)
    services.create_request(entity_id=entity.pk, title="Draft", actor=None)
    sign_in_verified(client, specialist(entity, granted=False))
    response = client.get(reverse("hr:index"))
    assert "job_audit.to_submit" not in [s.queue.key for s in response.context["queues"]]


def test_the_returned_request_says_when_its_changes_are_due(client):
    entity, _unit, _cls, employees = clean_inventory(occupied=1, vacant=0, frozen=0)
    user = specialist(entity)
    returned(submitted(entity, employees[0].position, preparer=user), days_left=-2)
    sign_in_verified(client, user)
    response = client.get(
        reverse("hr:job_audit_variablerequest_changelist"), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert 'class="overdue"' in response.content.decode()


@pytest.fixture
def many_requests():
    """Seven submitted requests of two entities with distinct answer dates, and a draft."""
    rows = []
    for code, count in (("AAA", 4), ("BBB", 3)):
        entity, _unit, _cls, employees = clean_inventory(occupied=count, vacant=0, frozen=0)
        entity.code = code
        entity.save()
        preparer = specialist(entity)
        for employee in employees:
            kind = "transfer" if len(rows) % 2 else "upgrade"
            fields = {"unit": _other_unit(entity)} if kind == "transfer" else {"new_rank": 9}
            rows.append(
                submitted(entity, employee.position, preparer=preparer, kind=kind, **fields)
            )
        services.create_request(entity_id=entity.pk, title="Draft", actor=preparer)
    now = timezone.now()
    for index, row in enumerate(rows):
        # Answer dates out of creation order, two of them equal (the id breaks the tie).
        VariableRequest.objects.filter(pk=row.pk).update(
            due_at=now + dt.timedelta(days=(7 - index) // 2)
        )
    return rows


def _other_unit(entity):
    from employment_records.tests.factories import UnitFactory

    return UnitFactory(entity=entity)


def test_the_ministry_queue_walks_seek_pages_in_due_order_without_counting_every_row(
    client, many_requests, monkeypatch
):
    from job_audit.admin import MinistryVariableRequestAdmin

    monkeypatch.setattr(console_lists, "EXACT_COUNT_LIMIT", 4)
    monkeypatch.setattr(MinistryVariableRequestAdmin, "list_per_page", 3)
    sign_in_verified(client, auditor())
    base = reverse("admin:job_audit_variablerequest_changelist")
    seen, url, sql = [], base, []
    while url:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        sql += [q["sql"].upper() for q in queries.captured_queries]
        cl = response.context["cl"]
        assert cl.keyset is not None  # seek pages, not numbered ones
        seen += [row.pk for row in cl.result_list]
        next_url = cl.keyset.next_url
        url = base + next_url if next_url else None
    expected = list(
        VariableRequest.objects.exclude(status="draft")
        .order_by("due_at", "id")
        .values_list("pk", flat=True)
    )
    assert seen == expected
    assert not any("GROUP BY" in q or "DISTINCT" in q for q in sql)
    assert not any("COUNT(" in q and "LIMIT" not in q for q in sql)
    # The variables' count of each row on the page.
    assert '<td class="field-variable_count">1</td>' in response.content.decode()


def test_the_ministry_filters_by_type_of_change_and_typed_entity_code(client, many_requests):
    sign_in_verified(client, auditor())
    url = reverse("admin:job_audit_variablerequest_changelist")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"variable_type": "transfer"})
    assert not any("DISTINCT" in q["sql"].upper() for q in queries.captured_queries)
    listed = list(response.context["cl"].result_list)
    assert listed and {v.type for r in listed for v in r.variables.all()} == {"transfer"}
    response = client.get(url, {"entity__code__exact": "BBB"})
    assert {r.entity.code for r in response.context["cl"].result_list} == {"BBB"}
    assert 'name="entity__code__exact"' in response.content.decode()


def test_a_draft_is_the_entitys_own_the_ministry_gets_a_404(client, many_requests):
    draft = VariableRequest.objects.filter(status="draft").first()
    sign_in_verified(client, auditor())
    all_rows = client.get(reverse("admin:job_audit_variablerequest_changelist"), {"queue": "all"})
    assert draft.pk not in {r.pk for r in all_rows.context["cl"].result_list}
    assert "status__exact=draft" not in all_rows.content.decode()  # no such filter choice
    submitted_only = client.get(
        reverse("admin:job_audit_variablerequest_changelist"), {"status__exact": "submitted"}
    )
    assert {r.status for r in submitted_only.context["cl"].result_list} == {"submitted"}
    detail = reverse("admin:job_audit_variablerequest_change", args=[draft.pk])
    assert client.get(detail).status_code == 404
    decide = reverse("admin:job_audit_variablerequest_decide", args=[draft.pk])
    assert client.post(decide, {"step": "approve"}).status_code == 404

"""The workflow's parts that need no subject model: numbers, the clock, files, the error page.

The transitions, history and separation of duties are exercised against every real user of
the workflow in the shared suite (tests/test_workflow_users.py)."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.test import RequestFactory
from django.utils import timezone

from core.middleware import WorkflowErrorMiddleware
from core.models import ReferenceCounter
from core.uploads import files_removed_on_rollback
from core.workflow import Role, SlaClock, Transition, Workflow, WorkflowError, next_reference


@pytest.mark.django_db
def test_references_count_per_prefix_and_hijri_year():
    day = dt.date(2026, 12, 2)  # 1448 AH
    assert next_reference(prefix="G", on=day) == "G-1448-000001"
    assert next_reference(prefix="G", on=day) == "G-1448-000002"
    assert next_reference(prefix="C", on=day) == "C-1448-000001"
    assert next_reference(prefix="G", on=dt.date(2027, 7, 1)) == "G-1449-000001"
    assert ReferenceCounter.objects.get(prefix="G", hijri_year=1448).last_value == 2


class _Clock(SlaClock):
    class Meta:
        abstract = True


def test_a_paused_clock_pushes_the_deadline_by_the_pause():
    start = timezone.now()
    clock = _Clock.__new__(_Clock)
    clock.due_at, clock.paused_since = start + dt.timedelta(days=60), None
    clock.pause(start)
    assert not clock.is_overdue  # a paused clock is never late
    clock.resume(start + dt.timedelta(days=3))
    assert clock.due_at == start + dt.timedelta(days=63)
    assert clock.paused_since is None


def test_a_second_pause_keeps_the_first_start():
    start = timezone.now()
    clock = _Clock.__new__(_Clock)
    clock.due_at, clock.paused_since = start, None
    clock.pause(start)
    clock.pause(start + dt.timedelta(days=1))
    assert clock.paused_since == start


@pytest.mark.django_db
def test_files_stored_in_a_failed_transaction_are_removed():
    with pytest.raises(RuntimeError), files_removed_on_rollback() as stored, transaction.atomic():
        stored.append(default_storage.save("evidence/a.pdf", ContentFile(b"%PDF-1.4")))
        raise RuntimeError("the row could not be written")
    assert not default_storage.exists(stored[0])


@pytest.mark.django_db
def test_files_of_a_committed_transaction_stay():
    with files_removed_on_rollback() as stored, transaction.atomic():
        stored.append(default_storage.save("evidence/b.pdf", ContentFile(b"%PDF-1.4")))
    assert default_storage.exists(stored[0])


class _Status(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


def test_a_workflow_refuses_a_transition_to_an_unknown_status():
    with pytest.raises(ValueError, match="unknown statuses"):
        Workflow(
            statuses=_Status,
            transitions=[Transition("finish", ("open",), "closed", frozenset({Role.HR}))],
            history=models.Model,
            subject_field="subject",
            audit_prefix="test",
        )


def test_a_workflow_lists_the_steps_a_role_may_take():
    flow = Workflow(
        statuses=_Status,
        transitions=[
            Transition("finish", ("open",), "done", frozenset({Role.HR})),
            Transition("reopen", ("done",), "open", frozenset({Role.SUBJECT})),
        ],
        history=models.Model,
        subject_field="subject",
        audit_prefix="test",
    )
    subject = type("Subject", (), {"status": "open"})()
    assert [t.name for t in flow.available(subject, role=Role.HR)] == ["finish"]
    assert flow.available(subject, role=Role.SUBJECT) == []
    assert flow.allowed_targets("done") == {"open"}


@pytest.mark.django_db
def test_an_uncaught_refusal_is_a_4xx_page_with_its_message():
    request = RequestFactory().get("/")
    request.user = type("Anonymous", (), {"is_authenticated": False})()
    middleware = WorkflowErrorMiddleware(lambda request: None)
    response = middleware.process_exception(request, WorkflowError("Already decided.", status=409))
    assert response.status_code == 409
    assert "Already decided." in response.content.decode()

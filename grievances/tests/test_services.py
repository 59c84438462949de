"""The workflow, deadlines, numbers, SLA clock and notifications, through services.py."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from core import sms as backends
from core.dates import hijri_year
from core.models import AuditEvent
from employment_records.tests.factories import EntityFactory
from grievances import services
from grievances.models import (
    Category,
    Grievance,
    GrievanceStatus,
    Outcome,
    Status,
)
from grievances.workflow import ALLOWED_TRANSITIONS

from .factories import file_grievance, grievance_input, grievance_user, hr_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbox(settings):
    settings.SMS_BACKEND = "locmem"
    backends.outbox.clear()
    return backends.outbox


@pytest.fixture
def employee_user(db):
    return grievance_user()


@pytest.fixture
def hr(employee_user):
    return hr_for(employee_user.employee.entity)


def test_submission_numbers_by_hijri_year_and_texts_the_number(
    employee_user, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = file_grievance(employee_user)
        second = file_grievance(employee_user)
    year = hijri_year(timezone.localdate())
    assert first.number == f"G-{year}-000001"
    assert second.number == f"G-{year}-000002"
    assert [sms.to for sms in outbox] == [employee_user.mobile] * 2
    assert first.number in outbox[0].body
    assert first.statuses.get().status == Status.SUBMITTED
    assert AuditEvent.objects.filter(action="grievance.submit").count() == 2
    due = first.submitted_at + dt.timedelta(days=60)
    assert first.due_at == due


def test_sms_leaves_only_after_commit(employee_user, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        file_grievance(employee_user)
    assert outbox == []  # the transaction has not committed yet, so nothing was sent
    for callback in callbacks:
        callback()
    assert len(outbox) == 1


def test_same_token_files_one_grievance(employee_user):
    import uuid

    token = uuid.uuid4()
    first, created = services.submit_grievance(
        employee=employee_user.employee,
        data=grievance_input(),
        attachments=[],
        submission_token=token,
    )
    again, created_again = services.submit_grievance(
        employee=employee_user.employee,
        data=grievance_input(),
        attachments=[],
        submission_token=token,
    )
    assert created and not created_again
    assert again.pk == first.pk
    assert Grievance.objects.count() == 1


# --- filing deadlines, on the boundary days ------------------------------------------------


@pytest.mark.parametrize(
    ("category", "days"),
    [
        (Category.PROMOTION, 60),
        (Category.DISCIPLINARY, 60),
        (Category.OTHER, 60),
        (Category.PERFORMANCE, 15),
    ],
)
def test_deadline_boundary_per_category(employee_user, category, days):
    today = timezone.localdate()
    on_last_day = file_grievance(
        employee_user,
        category=category,
        decision_date=today - dt.timedelta(days=days + 5),
        learned_on=today - dt.timedelta(days=days),
    )
    assert on_last_day.pk
    with pytest.raises(services.GrievanceError) as refused:
        file_grievance(
            employee_user,
            category=category,
            decision_date=today - dt.timedelta(days=days + 5),
            learned_on=today - dt.timedelta(days=days + 1),
        )
    message = str(refused.value.message)
    deadline = today - dt.timedelta(days=1)
    from core.dates import format_gregorian, format_hijri

    # The deadline is shown in both calendars.
    assert format_hijri(deadline) in message and format_gregorian(deadline) in message
    assert refused.value.field == "learned_on"


def test_deadline_is_a_setting(employee_user, settings):
    settings.GRIEVANCE_FILING_DAYS = {"default": 60, "performance": 15, "transfer": 90}
    today = timezone.localdate()
    grievance = file_grievance(
        employee_user,
        category=Category.TRANSFER,
        decision_date=today - dt.timedelta(days=100),
        learned_on=today - dt.timedelta(days=90),
    )
    assert grievance.pk


# --- every transition, allowed and refused -------------------------------------------------


def _drive_to(status, grievance, hr, employee_user):
    """Bring a fresh grievance to `status` through the services."""
    path = {
        Status.SUBMITTED: [],
        Status.UNDER_REVIEW: ["assign"],
        Status.MORE_INFO_REQUESTED: ["assign", "ask"],
        Status.DECIDED: ["assign", "decide"],
        Status.CLOSED: ["assign", "decide", "close"],
        Status.WITHDRAWN: ["withdraw"],
    }[status]
    for step in path:
        MOVES[Status.UNDER_REVIEW if step == "assign" else STEP_TARGET[step]](
            grievance, hr, employee_user
        )
    grievance.refresh_from_db()
    assert grievance.status == status


def _assign(grievance, hr, employee_user):
    services.assign_grievance(grievance_id=grievance.pk, specialist=hr, actor=hr)


def _ask(grievance, hr, employee_user):
    services.request_more_information(grievance_id=grievance.pk, question="أرفق القرار", actor=hr)


def _decide(grievance, hr, employee_user):
    services.decide_grievance(
        grievance_id=grievance.pk, outcome=Outcome.REJECTED, reasoning="لا وجه", actor=hr
    )


def _close(grievance, hr, employee_user):
    services.close_grievance(grievance_id=grievance.pk, actor=hr)


def _withdraw(grievance, hr, employee_user):
    services.withdraw_grievance(grievance=grievance, user=employee_user)


def _answer(grievance, hr, employee_user):
    services.answer_more_information(
        grievance=grievance, user=employee_user, body="مرفق", attachments=[]
    )


STEP_TARGET = {
    "ask": Status.MORE_INFO_REQUESTED,
    "decide": Status.DECIDED,
    "close": Status.CLOSED,
    "withdraw": Status.WITHDRAWN,
}
MOVES = {
    Status.UNDER_REVIEW: _assign,
    Status.MORE_INFO_REQUESTED: _ask,
    Status.DECIDED: _decide,
    Status.CLOSED: _close,
    Status.WITHDRAWN: _withdraw,
}
# Back to follow-up from "more information requested" is the employee's answer, not assignment.
ANSWER = (Status.MORE_INFO_REQUESTED, Status.UNDER_REVIEW)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (current, target)
        for current, target in itertools.product(Status.values, MOVES)
        if current != target
    ],
)
def test_every_transition_is_allowed_or_refused_by_the_table(employee_user, hr, current, target):
    grievance = file_grievance(employee_user)
    _drive_to(current, grievance, hr, employee_user)
    rows_before = GrievanceStatus.objects.filter(grievance=grievance).count()
    move = _answer if (current, target) == ANSWER else MOVES[target]
    allowed = target in ALLOWED_TRANSITIONS[current]
    if allowed:
        move(grievance, hr, employee_user)
        grievance.refresh_from_db()
        assert grievance.status == target
        last = GrievanceStatus.objects.filter(grievance=grievance).last()
        assert (last.previous, last.status) == (current, target)
    else:
        with pytest.raises(services.GrievanceError):
            move(grievance, hr, employee_user)
        grievance.refresh_from_db()
        assert grievance.status == current
        assert GrievanceStatus.objects.filter(grievance=grievance).count() == rows_before


def test_a_status_row_outside_the_table_is_refused(employee_user):
    from django.core.exceptions import ValidationError

    grievance = file_grievance(employee_user)
    with pytest.raises(ValidationError):
        GrievanceStatus.objects.create(
            grievance=grievance, previous=Status.SUBMITTED, status=Status.CLOSED
        )


def test_status_rows_are_append_only(employee_user):
    row = file_grievance(employee_user).statuses.get()
    row.note = "changed"
    with pytest.raises(ValueError):
        row.save()


def test_each_change_is_audited_and_texted(
    employee_user, hr, outbox, django_capture_on_commit_callbacks
):
    grievance = file_grievance(employee_user)
    with django_capture_on_commit_callbacks(execute=True):
        _assign(grievance, hr, employee_user)
        _ask(grievance, hr, employee_user)
        _answer(grievance, hr, employee_user)
        _decide(grievance, hr, employee_user)
        _close(grievance, hr, employee_user)
    actions = list(
        AuditEvent.objects.filter(subject_id=str(grievance.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "grievance.submit",
        "grievance.assign",
        "grievance.ask",
        "grievance.answer",
        "grievance.decide",
        "grievance.close",
    ]
    to_employee = [sms for sms in outbox if sms.to == employee_user.mobile]
    assert len(to_employee) == 5 and all(grievance.number in sms.body for sms in to_employee)
    assert len(outbox) == 7  # and the specialist: assigned, then the employee's answer


# --- the SLA clock -------------------------------------------------------------------------


def test_clock_pauses_while_waiting_for_the_employee(employee_user, hr, monkeypatch):
    grievance = file_grievance(employee_user)
    due = grievance.due_at
    _assign(grievance, hr, employee_user)
    start = timezone.now()
    _ask(grievance, hr, employee_user)
    # Ten days pass before the employee answers.
    monkeypatch.setattr(timezone, "now", lambda: start + dt.timedelta(days=10))
    _answer(grievance, hr, employee_user)
    grievance.refresh_from_db()
    assert grievance.paused_since is None
    shift = grievance.due_at - due
    assert abs(shift - dt.timedelta(days=10)) < dt.timedelta(seconds=5)


def test_performance_grievance_needs_the_committee_before_a_decision(employee_user, hr):
    today = timezone.localdate()
    grievance = file_grievance(
        employee_user, category=Category.PERFORMANCE, learned_on=today, decision_date=today
    )
    _assign(grievance, hr, employee_user)
    with pytest.raises(services.GrievanceError):
        _decide(grievance, hr, employee_user)
    with pytest.raises(services.GrievanceError):  # three different people
        services.record_committee_recommendation(
            grievance_id=grievance.pk,
            members=("أ", "ب", "أ"),
            recommendation=Outcome.ACCEPTED,
            reasoning="...",
            met_on=today,
            actor=hr,
        )
    services.record_committee_recommendation(
        grievance_id=grievance.pk,
        members=("د. سعد", "أ. منى", "أ. فهد"),
        recommendation=Outcome.PARTLY_ACCEPTED,
        reasoning="تعديل التقييم جزئيا",
        met_on=today,
        actor=hr,
    )
    _decide(grievance, hr, employee_user)
    grievance.refresh_from_db()
    assert grievance.status == Status.DECIDED and grievance.committee.member_3 == "أ. فهد"


def test_hr_of_another_entity_cannot_act(employee_user):
    stranger = hr_for(EntityFactory())
    grievance = file_grievance(employee_user)
    with pytest.raises(Grievance.DoesNotExist):
        services.assign_grievance(grievance_id=grievance.pk, specialist=stranger, actor=stranger)
    grievance.refresh_from_db()
    assert grievance.status == Status.SUBMITTED


# --- the daily overdue check ---------------------------------------------------------------


def test_overdue_grievances_are_flagged_once_and_the_lead_is_told(
    employee_user, hr, outbox, django_capture_on_commit_callbacks
):
    entity = employee_user.employee.entity
    lead = hr_for(entity, lead=True)
    late = file_grievance(employee_user)
    waiting = file_grievance(employee_user)
    on_time = file_grievance(employee_user)
    _assign(waiting, hr, employee_user)
    _ask(waiting, hr, employee_user)  # clock paused: not late
    Grievance.objects.filter(pk__in=[late.pk, waiting.pk]).update(
        due_at=timezone.now() - dt.timedelta(hours=1)
    )
    outbox.clear()
    from grievances.tasks import batch_flag_overdue_grievances

    with django_capture_on_commit_callbacks(execute=True):
        assert batch_flag_overdue_grievances.delay().get() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert batch_flag_overdue_grievances.delay().get() == 0  # idempotent
    assert [sms.to for sms in outbox] == [lead.mobile]
    late.refresh_from_db(), on_time.refresh_from_db()
    assert late.overdue_flagged_at is not None and on_time.overdue_flagged_at is None
    assert Grievance.objects.overdue().get() == late


def test_the_beat_schedule_routes_the_task_to_the_batch_queue(settings):
    from masar.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["grievances-flag-overdue"]
    assert entry["task"] == "grievances.tasks.batch_flag_overdue_grievances"
    route = app.amqp.router.route({}, entry["task"])
    assert route["queue"].name == "batch"


@pytest.mark.django_db(transaction=True)  # the SMS is published when the filing really commits
def test_a_broker_outage_does_not_undo_the_filing(employee_user, monkeypatch):
    from kombu.exceptions import OperationalError

    from core.models import Notification
    from core.tasks import deliver_notification

    def broker_down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(deliver_notification, "apply_async", broker_down)
    grievance = file_grievance(employee_user)
    assert Grievance.objects.filter(pk=grievance.pk).exists()
    # Left queued in the outbox: the sweep sends it when the broker is back.
    assert Notification.objects.get().status == Notification.Status.QUEUED


def test_a_failed_filing_leaves_no_file_behind(employee_user, monkeypatch, settings):
    from grievances.tests.test_views import _checked_pdf

    def audit_down(**kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr("core.workflow.audit", audit_down)  # the step writes it
    with pytest.raises(RuntimeError):
        file_grievance(employee_user, attachments=[_checked_pdf()])
    stored = [p for p in settings.PRIVATE_MEDIA_ROOT.rglob("*") if p.is_file()]
    assert stored == [] and not Grievance.objects.exists()


def test_the_table_refuses_an_attachment_type_the_upload_check_would_refuse(employee_user):
    from django.db import IntegrityError, transaction

    from grievances.models import GrievanceAttachment

    grievance = file_grievance(employee_user)
    fields = {"grievance": grievance, "original_name": "x", "size": 10}
    with pytest.raises(IntegrityError), transaction.atomic():
        GrievanceAttachment.objects.create(
            storage_name="a.html", content_type="text/html", **fields
        )
    GrievanceAttachment.objects.create(
        storage_name="b.pdf", content_type="application/pdf", **fields
    )


def test_the_specialist_hears_of_an_assignment_and_of_the_employees_answer(
    employee_user, outbox, django_capture_on_commit_callbacks
):
    specialist = hr_for(
        employee_user.employee.entity, mobile="+966559876512", preferred_language="en"
    )
    lead = hr_for(employee_user.employee.entity, lead=True)
    with django_capture_on_commit_callbacks(execute=True):
        grievance = file_grievance(employee_user)
        services.assign_grievance(grievance_id=grievance.pk, specialist=specialist, actor=lead)
        services.assign_grievance(grievance_id=grievance.pk, specialist=specialist, actor=lead)
        services.request_more_information(
            grievance_id=grievance.pk, question="Which decision?", actor=specialist
        )
    to_specialist = [sms.body for sms in outbox if sms.to == specialist.mobile]
    assert len(to_specialist) == 1 and "assigned to you" in to_specialist[0]  # once, not twice
    assert grievance.number in to_specialist[0]

    outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_more_information(
            grievance=grievance, user=employee_user, body="Decision 1448/12.", attachments=[]
        )
    assert {sms.to for sms in outbox} == {employee_user.mobile, specialist.mobile}
    answered = next(sms.body for sms in outbox if sms.to == specialist.mobile)
    assert "has answered your question" in answered and grievance.number in answered

"""The correction workflow: numbers, SLA, evidence, transitions, approval applying the change."""

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.utils import translation

from accounts.tests.factories import UserFactory, make_hr_specialist
from core import sms as backends
from core.models import AuditEvent
from employment_records import services
from employment_records.models import CorrectionStatus, Employee, EmploymentAction
from employment_records.tests.factories import ActionFactory
from employment_records.tests.helpers import checked_pdf, submit_dob_correction

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    settings.SMS_BACKEND = "locmem"
    backends.outbox.clear()
    return backends.outbox


@pytest.fixture
def person():
    return UserFactory(with_employee=True)


@pytest.fixture
def hr(person):
    return make_hr_specialist(person.employee.entity)


def test_submit_numbers_the_request_sets_the_sla_stores_evidence_and_sends_an_sms(
    person, settings, sms_outbox, django_capture_on_commit_callbacks
):
    settings.CORRECTION_SLA_DAYS = 30
    with django_capture_on_commit_callbacks(execute=True):
        first = submit_dob_correction(person.employee, person)
    assert first.number.startswith("C-14") and first.number.endswith("-000001")
    assert first.status == CorrectionStatus.SUBMITTED
    assert first.current_value == "1990-03-15" and first.proposed_value == "1990-03-05"
    assert abs(first.due_at - first.submitted_at - dt.timedelta(days=30)) < dt.timedelta(seconds=5)
    evidence = first.evidence.get()
    assert evidence.original_name == "birth-certificate.pdf"
    assert evidence.storage_name.startswith("corrections/") and "birth" not in evidence.storage_name
    assert default_storage.exists(evidence.storage_name)
    assert [sms.to for sms in sms_outbox] == [person.mobile]
    assert first.number in sms_outbox[0].body


def test_numbers_follow_each_other(person):
    first = submit_dob_correction(person.employee, person)
    other = services.submit_correction(
        employee=person.employee,
        data=services.CorrectionInput(
            field_name="first_name_en", proposed_value="Muhammad", reason="Passport", evidence=[]
        ),
        actor=person,
    )
    assert int(other.number[-6:]) == int(first.number[-6:]) + 1


def test_unchanged_value_and_duplicate_open_request_are_refused(person):
    with pytest.raises(services.CorrectionError) as unchanged:
        submit_dob_correction(person.employee, person, new=dt.date(1990, 3, 15))
    assert unchanged.value.code == "unchanged"
    submit_dob_correction(person.employee, person)
    with pytest.raises(services.CorrectionError) as duplicate:
        submit_dob_correction(person.employee, person, new=dt.date(1990, 3, 6))
    assert duplicate.value.code == "duplicate"


def test_a_field_outside_the_whitelist_is_refused(person):
    with pytest.raises(services.CorrectionError):
        services.submit_correction(
            employee=person.employee,
            data=services.CorrectionInput(
                field_name="nationality", proposed_value="EG", reason="x", evidence=[]
            ),
            actor=person,
        )


def test_approval_applies_the_change_with_an_audit_event_of_old_and_new(
    person, hr, sms_outbox, django_capture_on_commit_callbacks
):
    request = submit_dob_correction(person.employee, person)
    sms_outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        services.approve_correction(request=request, actor=hr, note="Checked")
    request.refresh_from_db()
    assert request.status == CorrectionStatus.APPROVED and request.decided_by == hr
    assert Employee.objects.get(pk=person.employee.pk).date_of_birth == dt.date(1990, 3, 5)
    event = AuditEvent.objects.get(action="record.corrected")
    assert event.changes["date_of_birth"] == {"old": "1990-03-15", "new": "1990-03-05"}
    assert event.actor == hr and event.entity_id == person.employee.entity_id
    assert len(sms_outbox) == 1 and request.number in sms_outbox[0].body
    assert "«مقبول»" in sms_outbox[0].body  # Arabic, though HR works in English


def test_approval_of_a_record_entry_changes_that_entry(person, hr):
    action = ActionFactory(employee=person.employee, decision_number="1440/123")
    request = services.submit_correction(
        employee=person.employee,
        data=services.CorrectionInput(
            field_name="decision_number",
            proposed_value="1440/132",
            reason="Typo",
            evidence=[],
            action=action,
        ),
        actor=person,
    )
    services.approve_correction(request=request, actor=hr)
    assert EmploymentAction.objects.get(pk=action.pk).decision_number == "1440/132"


def test_nobody_decides_about_their_own_record(person):
    request = submit_dob_correction(person.employee, person)
    for decide in (
        lambda: services.approve_correction(request=request, actor=person),
        lambda: services.start_review(request=request, actor=person),
    ):
        with pytest.raises(services.CorrectionError) as refused:
            decide()
        assert refused.value.code == "own_record"
    request.refresh_from_db()
    assert request.status == CorrectionStatus.SUBMITTED
    assert Employee.objects.get(pk=person.employee.pk).date_of_birth == dt.date(1990, 3, 15)


def test_an_hr_specialist_with_their_own_employee_record_cannot_approve_it():
    specialist = UserFactory(with_employee=True)
    colleague = make_hr_specialist(specialist.employee.entity)
    # The specialist is HR of their own entity too, and files a request about themself.
    from accounts.models import HRProfile

    HRProfile.objects.create(user=specialist, entity=specialist.employee.entity)
    request = submit_dob_correction(specialist.employee, specialist)
    with pytest.raises(services.CorrectionError):
        services.approve_correction(request=request, actor=specialist)
    services.approve_correction(request=request, actor=colleague)  # a colleague may


def test_more_information_then_answer_returns_to_review_with_the_new_evidence(person, hr):
    request = submit_dob_correction(person.employee, person)
    with pytest.raises(services.CorrectionError):
        services.ask_for_more_info(request=request, actor=hr, question="  ")
    services.ask_for_more_info(request=request, actor=hr, question="Attach the civil record.")
    request.refresh_from_db()
    assert request.status == CorrectionStatus.MORE_INFO
    services.answer_more_info(
        request=request, actor=person, answer="Attached.", evidence=[checked_pdf("record.pdf")]
    )
    request.refresh_from_db()
    assert request.status == CorrectionStatus.UNDER_REVIEW
    assert request.evidence.count() == 2
    assert [e.status for e in request.events.all()] == [
        "submitted",
        "more_info",
        "under_review",
    ]
    assert request.events.last().note == "Attached."


def test_reject_needs_a_reason_and_closes_the_request(person, hr):
    request = submit_dob_correction(person.employee, person)
    with pytest.raises(services.CorrectionError):
        services.reject_correction(request=request, actor=hr, reason="")
    services.reject_correction(request=request, actor=hr, reason="The registry agrees with us.")
    request.refresh_from_db()
    assert request.status == CorrectionStatus.REJECTED and request.decided_at is not None
    with pytest.raises(services.CorrectionError) as late:
        services.approve_correction(request=request, actor=hr)
    assert late.value.code == "bad_transition"


def test_withdraw_only_while_open(person, hr):
    request = submit_dob_correction(person.employee, person)
    services.withdraw_correction(request=request, actor=person)
    request.refresh_from_db()
    assert request.status == CorrectionStatus.WITHDRAWN
    with pytest.raises(services.CorrectionError):
        services.withdraw_correction(request=request, actor=person)


def test_a_value_conflicting_with_the_record_is_not_applied(person, hr):
    request = services.submit_correction(
        employee=person.employee,
        data=services.CorrectionInput(
            field_name="hire_date",
            proposed_value=dt.date(1989, 1, 1),  # before the date of birth
            reason="x",
            evidence=[],
        ),
        actor=person,
    )
    with pytest.raises(services.CorrectionError) as conflict:
        services.approve_correction(request=request, actor=hr)
    assert conflict.value.code == "conflict"
    request.refresh_from_db()
    assert request.status == CorrectionStatus.SUBMITTED
    assert Employee.objects.get(pk=person.employee.pk).hire_date == dt.date(2014, 9, 1)

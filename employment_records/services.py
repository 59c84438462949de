"""Writes of "my employment data": correction requests and their workflow, and the service
statement request. One use case per function, one transaction each; SMS and tasks go out
after commit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import audit
from core.dates import hijri_year
from core.notifications import notify
from core.uploads import CheckedUpload, store_privately

from .corrections import FieldSpec, spec_for
from .models import (
    CorrectionCounter,
    CorrectionEvent,
    CorrectionEvidence,
    CorrectionRequest,
    CorrectionStatus,
    Employee,
    EmployeeStatus,
    EmploymentAction,
    Position,
    PositionStatus,
)

S = CorrectionStatus
# The workflow as data: who may move a request from one status to which.
HR_TRANSITIONS = {
    S.SUBMITTED: {S.UNDER_REVIEW, S.MORE_INFO, S.APPROVED, S.REJECTED},
    S.UNDER_REVIEW: {S.MORE_INFO, S.APPROVED, S.REJECTED},
    S.MORE_INFO: {S.UNDER_REVIEW, S.APPROVED, S.REJECTED},
}
EMPLOYEE_TRANSITIONS = {
    S.SUBMITTED: {S.WITHDRAWN},
    S.UNDER_REVIEW: {S.WITHDRAWN},
    S.MORE_INFO: {S.UNDER_REVIEW, S.WITHDRAWN},
}
DECIDED = {S.APPROVED, S.REJECTED, S.WITHDRAWN}
EVIDENCE_FOLDER = "corrections"


class CorrectionError(ValidationError):
    """A correction step that is not allowed; the message is shown to the person."""


@dataclass(frozen=True)
class CorrectionInput:
    field_name: str
    proposed_value: object  # already cleaned by the spec's form field
    reason: str
    evidence: list[CheckedUpload]
    action: EmploymentAction | None = None


def next_correction_number(on: dt.date | None = None) -> str:
    """C-<Hijri year>-<six-digit sequence>; the counter row is locked, so numbers never repeat."""
    year = hijri_year(on or timezone.localdate())
    counter, _created = CorrectionCounter.objects.select_for_update().get_or_create(year=year)
    CorrectionCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return f"C-{year}-{counter.last:06d}"


def _attach(request: CorrectionRequest, uploads: list[CheckedUpload]) -> None:
    already = request.evidence.count() if request.pk else 0
    if already + len(uploads) > settings.UPLOAD_MAX_FILES:
        raise CorrectionError(
            _("A request can hold at most %(count)s files."),
            code="too_many_files",
            params={"count": settings.UPLOAD_MAX_FILES},
        )
    for upload in uploads:
        CorrectionEvidence.objects.create(
            request=request,
            file_name=store_privately(upload, folder=EVIDENCE_FOLDER),
            original_name=upload.original_name,
            content_type=upload.content_type,
            size=upload.size,
        )


def _record(request: CorrectionRequest, *, status: str, actor, note: str = "") -> None:
    CorrectionEvent.objects.create(request=request, status=status, note=note, actor=actor)
    _notify(request)


def _notify(request: CorrectionRequest) -> None:
    """A notice on every status change (SMS and inbox), in Arabic (the portal's default
    language), in the caller's transaction."""
    user = request.employee.user
    if user is None:
        return
    notify(
        user=user,
        kind="correction_status",
        # The lazy label, so the SMS says the status in Arabic whatever the actor's language.
        context={
            "number": request.number,
            "status": CorrectionStatus(request.status).label,
            "url": reverse("employment_records:correction", args=[request.number]),
        },
        language="ar",
    )


def submit_correction(*, employee: Employee, data: CorrectionInput, actor) -> CorrectionRequest:
    """File a correction request about the employee's own data or one of their record entries."""
    spec = spec_for(data.field_name, on_action=data.action is not None)
    if spec is None:
        raise CorrectionError(_("This field cannot be corrected online."), code="not_correctable")
    if data.action is not None and data.action.employee_id != employee.pk:
        raise CorrectionError(_("This record entry is not yours."), code="not_owner")
    target = data.action or employee
    current = spec.current_text(target)
    proposed = spec.to_text(data.proposed_value)
    if proposed == current:
        raise CorrectionError(
            _("The proposed value is the same as the current one."), code="unchanged"
        )
    if _open_request_exists(employee=employee, action=data.action, field_name=spec.name):
        raise CorrectionError(
            _("You already have an open request about this field. Follow it or withdraw it first."),
            code="duplicate",
        )
    today = timezone.localdate()
    with transaction.atomic():
        request = CorrectionRequest.objects.create(
            number=next_correction_number(today),
            employee=employee,
            action=data.action,
            field_name=spec.name,
            current_value=current,
            proposed_value=proposed,
            reason=data.reason.strip(),
            due_date=today + dt.timedelta(days=settings.CORRECTION_SLA_DAYS),
        )
        _attach(request, data.evidence)
        _record(request, status=S.SUBMITTED, actor=actor)
        audit(
            action="correction.submitted",
            actor=actor,
            subject=request,
            entity_id=employee.entity_id,
            changes={"field": spec.name, "proposed": proposed},
        )
    return request


def _open_request_exists(*, employee, action, field_name) -> bool:
    return CorrectionRequest.objects.filter(
        employee=employee,
        action=action,
        field_name=field_name,
        status__in=[S.SUBMITTED, S.UNDER_REVIEW, S.MORE_INFO],
    ).exists()


def _locked(request: CorrectionRequest) -> CorrectionRequest:
    """The row locked for this transaction, so two decisions cannot cross."""
    return (
        CorrectionRequest.objects.select_for_update(of=("self",))
        .select_related("employee__user", "action")
        .get(pk=request.pk)
    )


def _move(request: CorrectionRequest, *, to: str, allowed: dict, actor, note: str = "") -> None:
    if to not in allowed.get(request.status, set()):
        raise CorrectionError(
            _("This request is “%(status)s”: that step is not possible now."),
            code="bad_transition",
            params={"status": request.get_status_display()},
        )
    request.status = to
    fields = ["status", "updated_at"]
    if to in DECIDED:
        request.decided_at = timezone.now()
        request.decided_by = actor
        fields += ["decided_at", "decided_by"]
    request.save(update_fields=fields)
    _record(request, status=to, actor=actor, note=note)
    audit(
        action=f"correction.{to}",
        actor=actor,
        subject=request,
        entity_id=request.employee.entity_id,
    )


def _check_not_own_record(request: CorrectionRequest, actor) -> None:
    # Nobody decides about their own record, even an HR specialist of the same entity.
    employee = request.employee
    if employee.user_id == actor.pk or employee.national_id == getattr(actor, "username", None):
        raise CorrectionError(
            _("You cannot decide a request about your own record; another specialist must."),
            code="own_record",
        )


def withdraw_correction(*, request: CorrectionRequest, actor) -> CorrectionRequest:
    with transaction.atomic():
        locked = _locked(request)
        _move(locked, to=S.WITHDRAWN, allowed=EMPLOYEE_TRANSITIONS, actor=actor)
    return locked


def answer_more_info(
    *, request: CorrectionRequest, actor, answer: str, evidence: list[CheckedUpload]
) -> CorrectionRequest:
    """The employee's answer to a request for more information; back to HR's review."""
    with transaction.atomic():
        locked = _locked(request)
        if locked.status != S.MORE_INFO:
            raise CorrectionError(
                _("This request is not waiting for information from you."), code="not_waiting"
            )
        _attach(locked, evidence)
        _move(locked, to=S.UNDER_REVIEW, allowed=EMPLOYEE_TRANSITIONS, actor=actor, note=answer)
    return locked


def start_review(*, request: CorrectionRequest, actor) -> CorrectionRequest:
    with transaction.atomic():
        locked = _locked(request)
        _check_not_own_record(locked, actor)
        _move(locked, to=S.UNDER_REVIEW, allowed=HR_TRANSITIONS, actor=actor)
    return locked


def ask_for_more_info(*, request: CorrectionRequest, actor, question: str) -> CorrectionRequest:
    if not question.strip():
        raise CorrectionError(_("Say what information is needed."), code="note_required")
    with transaction.atomic():
        locked = _locked(request)
        _check_not_own_record(locked, actor)
        _move(locked, to=S.MORE_INFO, allowed=HR_TRANSITIONS, actor=actor, note=question)
    return locked


def reject_correction(*, request: CorrectionRequest, actor, reason: str) -> CorrectionRequest:
    if not reason.strip():
        raise CorrectionError(_("Give the reason for the rejection."), code="note_required")
    with transaction.atomic():
        locked = _locked(request)
        _check_not_own_record(locked, actor)
        _move(locked, to=S.REJECTED, allowed=HR_TRANSITIONS, actor=actor, note=reason)
    return locked


def approve_correction(*, request: CorrectionRequest, actor, note: str = "") -> CorrectionRequest:
    """Approve and apply the change to the record, in the same transaction, with an audit event
    holding the old and the new value."""
    with transaction.atomic():
        locked = _locked(request)
        _check_not_own_record(locked, actor)
        spec = spec_for(locked.field_name, on_action=locked.action_id is not None)
        target = _target_for_update(locked)
        old = spec.current_text(target)
        _apply(spec, target, locked.proposed_value)
        _move(locked, to=S.APPROVED, allowed=HR_TRANSITIONS, actor=actor, note=note)
        audit(
            action="record.corrected",
            actor=actor,
            subject=target,
            entity_id=locked.employee.entity_id,
            changes={
                spec.name: {"old": old, "new": locked.proposed_value},
                "request": locked.number,
            },
        )
    return locked


def _target_for_update(request: CorrectionRequest):
    if request.action_id is not None:
        return EmploymentAction.objects.select_for_update().get(pk=request.action_id)
    return Employee.objects.select_for_update().get(pk=request.employee_id)


def _apply(spec: FieldSpec, target, proposed_text: str) -> None:
    value = spec.parse(proposed_text)
    setattr(target, spec.name, value)
    try:
        with transaction.atomic():  # a savepoint: a refused value leaves the request as it was
            target.save(update_fields=[spec.name])
    except IntegrityError:
        raise CorrectionError(
            _(
                "The proposed value conflicts with other data of the record (for example a "
                "hire date before the date of birth); it cannot be applied as it is."
            ),
            code="conflict",
        ) from None


# --- service statement ----------------------------------------------------------------------

SERVICE_STATEMENT = "service_statement"


def request_service_statement(*, employee: Employee, actor):
    """A new statement, or the one already being prepared (a double click makes one PDF)."""
    from core.documents import documents_of_holder, request_document
    from core.models import Document

    pending = documents_of_holder(holder=employee, kind=SERVICE_STATEMENT).filter(
        status=Document.Status.PENDING
    )
    return pending.first() or request_document(
        kind=SERVICE_STATEMENT, holder=employee, requested_by=actor
    )


def sync_position_status(*position_ids: int | None) -> None:
    """After an employee moves or leaves: a position held by an employee in service is
    occupied, one nobody holds is vacant; a frozen position stays frozen."""
    for pk in {pk for pk in position_ids if pk}:
        held = Employee.objects.filter(position_id=pk, status=EmployeeStatus.ACTIVE).exists()
        Position.objects.filter(pk=pk).exclude(status=PositionStatus.FROZEN).update(
            status=PositionStatus.OCCUPIED if held else PositionStatus.VACANT
        )

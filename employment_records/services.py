"""Writes of "my employment data": correction requests and their workflow, and the service
statement request. One use case per function, one transaction each; the steps are those of
`employment_records.workflow.WORKFLOW` (core.workflow); SMS and tasks go out after commit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import audit
from core.drafts import take_over_draft
from core.uploads import CheckedUpload, files_removed_on_rollback, store_privately
from core.workflow import Role, WorkflowError, next_reference

from .corrections import FieldSpec, spec_for
from .models import (
    CorrectionEvidence,
    CorrectionRequest,
    CorrectionStatus,
    Employee,
    EmployeeStatus,
    EmploymentAction,
    Position,
    PositionStatus,
)
from .workflow import DECIDING, WORKFLOW

S = CorrectionStatus
EVIDENCE_FOLDER = "corrections"
REFERENCE_PREFIX = "C"
# One error type for every refused step (core.workflow); the name stays for callers.
CorrectionError = WorkflowError


@dataclass(frozen=True)
class CorrectionInput:
    field_name: str
    proposed_value: object  # already cleaned by the spec's form field
    reason: str
    evidence: list[CheckedUpload]
    action: EmploymentAction | None = None


def next_correction_number(on: dt.date | None = None) -> str:
    """C-<Hijri year>-<six digits>, unique under concurrency (core.workflow.next_reference)."""
    return next_reference(prefix=REFERENCE_PREFIX, on=on)


def _attach(request: CorrectionRequest, uploads: list[CheckedUpload], *, stored: list) -> None:
    already = request.evidence.count() if request.pk else 0
    if already + len(uploads) > settings.UPLOAD_MAX_FILES:
        raise CorrectionError(
            _("A request can hold at most %(count)s files.") % {"count": settings.UPLOAD_MAX_FILES},
            field="evidence",
            code="too_many_files",
        )
    for upload in uploads:
        name = store_privately(upload, folder=EVIDENCE_FOLDER)
        stored.append(name)  # removed again if the transaction rolls back
        CorrectionEvidence.objects.create(
            request=request,
            storage_name=name,
            original_name=upload.original_name,
            content_type=upload.content_type,
            size=upload.size,
        )


def submit_correction(
    *, employee: Employee, data: CorrectionInput, actor, draft=None
) -> CorrectionRequest:
    """File a correction request about the employee's own data or one of their record entries.

    Filed from a draft (core.drafts), the request takes over the evidence the draft holds and
    the draft goes, in the same transaction."""
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
            _("The proposed value is the same as the current one."),
            field="proposed_value",
            code="unchanged",
        )
    if _open_request_exists(employee=employee, action=data.action, field_name=spec.name):
        raise CorrectionError(
            _("You already have an open request about this field. Follow it or withdraw it first."),
            status=409,
            code="duplicate",
        )
    today = timezone.localdate()
    with (
        files_removed_on_rollback() as stored,
        transaction.atomic(),
    ):
        request = CorrectionRequest.objects.create(
            number=next_correction_number(today),
            employee=employee,
            action=data.action,
            field_name=spec.name,
            current_value=current,
            proposed_value=proposed,
            reason=data.reason.strip(),
            due_at=timezone.now() + dt.timedelta(days=settings.CORRECTION_SLA_DAYS),
        )
        _attach(request, data.evidence, stored=stored)
        if draft is not None:
            take_over_draft(draft=draft, attachment_model=CorrectionEvidence, request=request)
        WORKFLOW.start(
            request,
            "submit",
            actor=actor,
            changes={"number": request.number, "field": spec.name, "proposed": proposed},
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


def _take(locked: CorrectionRequest, name: str, *, actor, role: Role, note: str = "") -> None:
    if name in DECIDING:
        WORKFLOW.check(locked, WORKFLOW.transition(name), actor=actor, role=role)
        locked.decided_at = timezone.now()
        locked.decided_by = actor
    WORKFLOW.take(locked, name, actor=actor, role=role, note=note)


def _check_owner(locked: CorrectionRequest, actor) -> None:
    if locked.employee.user_id != actor.pk:
        raise CorrectionRequest.DoesNotExist  # another person's request does not exist for them


def withdraw_correction(*, request: CorrectionRequest, actor) -> CorrectionRequest:
    with transaction.atomic():
        locked = _locked(request)
        _check_owner(locked, actor)
        _take(locked, "withdraw", actor=actor, role=Role.SUBJECT)
    return locked


def answer_more_info(
    *, request: CorrectionRequest, actor, answer: str, evidence: list[CheckedUpload]
) -> CorrectionRequest:
    """The employee's answer to a request for more information; back to HR's review."""
    with (
        files_removed_on_rollback() as stored,
        transaction.atomic(),
    ):
        locked = _locked(request)
        _check_owner(locked, actor)
        if locked.status != S.MORE_INFO:
            raise CorrectionError(
                _("This request is not waiting for information from you."),
                status=409,
                code="not_waiting",
            )
        _attach(locked, evidence, stored=stored)
        _take(locked, "answer", actor=actor, role=Role.SUBJECT, note=answer)
    return locked


def start_review(*, request: CorrectionRequest, actor) -> CorrectionRequest:
    with transaction.atomic():
        locked = _locked(request)
        _take(locked, "review", actor=actor, role=Role.HR)
    return locked


def ask_for_more_info(*, request: CorrectionRequest, actor, question: str) -> CorrectionRequest:
    if not question.strip():
        raise CorrectionError(
            _("Say what information is needed."), field="note", code="note_required"
        )
    with transaction.atomic():
        locked = _locked(request)
        _take(locked, "ask", actor=actor, role=Role.HR, note=question)
    return locked


def reject_correction(*, request: CorrectionRequest, actor, reason: str) -> CorrectionRequest:
    if not reason.strip():
        raise CorrectionError(
            _("Give the reason for the rejection."), field="note", code="note_required"
        )
    with transaction.atomic():
        locked = _locked(request)
        _take(locked, "reject", actor=actor, role=Role.HR, note=reason)
    return locked


def approve_correction(*, request: CorrectionRequest, actor, note: str = "") -> CorrectionRequest:
    """Approve and apply the change to the record, in the same transaction, with an audit event
    holding the old and the new value."""
    with transaction.atomic():
        locked = _locked(request)
        # Every rule of the step first: nothing of the record changes for a refused approval.
        WORKFLOW.check(locked, WORKFLOW.transition("approve"), actor=actor, role=Role.HR)
        spec = spec_for(locked.field_name, on_action=locked.action_id is not None)
        target = _target_for_update(locked)
        old = spec.current_text(target)
        _apply(spec, target, locked.proposed_value)
        _take(locked, "approve", actor=actor, role=Role.HR, note=note)
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
    try:
        value = spec.parse(proposed_text)
    except ValidationError as invalid:
        raise CorrectionError(invalid.messages[0], code="invalid") from None
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
            status=409,
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

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
    ActionType,
    CorrectionEvidence,
    CorrectionRequest,
    CorrectionStatus,
    Employee,
    EmployeeStatus,
    EmploymentAction,
    Position,
    PositionStatus,
)
from .salary_scale import promotion_step
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


def request_service_statement(*, employee: Employee, actor, language: str = "ar"):
    """The statement of the employee's data as it is today, in `language`: the one already
    issued or being prepared for the same data (a double click, or asking again before
    anything changed, renders nothing), else a new one."""
    from core.documents import documents_of_holder, request_document
    from core.models import Document

    from .documents import statement_fingerprint

    fingerprint = statement_fingerprint(employee_id=employee.pk, language=language)
    same = documents_of_holder(holder=employee, kind=SERVICE_STATEMENT).filter(
        language=language,
        params__fingerprint=fingerprint,
        status__in=(Document.Status.PENDING, Document.Status.READY),
        revoked_at__isnull=True,
    )
    return same.first() or request_document(
        kind=SERVICE_STATEMENT,
        holder=employee,
        requested_by=actor,
        params={"fingerprint": fingerprint},
        language=language,
    )


def sync_position_status(*position_ids: int | None) -> None:
    """After an employee moves or leaves: a position held by an employee in service is
    occupied, one nobody holds is vacant; a frozen position stays frozen."""
    for pk in {pk for pk in position_ids if pk}:
        held = Employee.objects.filter(position_id=pk, status=EmployeeStatus.ACTIVE).exists()
        Position.objects.filter(pk=pk).exclude(status=PositionStatus.FROZEN).update(
            status=PositionStatus.OCCUPIED if held else PositionStatus.VACANT
        )


# --- decisions written by a service ---------------------------------------------------------


@dataclass(frozen=True)
class PromotionDecision:
    employee_id: int
    position_id: int  # the vacant position of the new rank the person moves to


def record_promotions(
    *,
    decisions: list[PromotionDecision],
    to_rank: int,
    decision_number: str,
    decided_on: dt.date,
    source: str,
    entity_id: int,
    actor,
) -> list[EmploymentAction]:
    """Write each promotion into the person's record and move them to the new rank, step and
    position, in the caller's transaction (a round's publication).

    Idempotent: a person whose record already holds an entry from `source` is left as is, so
    running it twice changes nothing. All or nothing: one person who can no longer be promoted
    (service ended, rank changed, another entity) or one position no longer free refuses the
    whole call before anything is written. A fixed number of queries plus one audit row per
    person written.
    """
    with transaction.atomic():
        ids = [d.employee_id for d in decisions]
        done = set(
            EmploymentAction.objects.filter(source=source, employee_id__in=ids).values_list(
                "employee_id", flat=True
            )
        )
        todo = [d for d in decisions if d.employee_id not in done]
        if not todo:
            return []
        people = Employee.objects.select_for_update().in_bulk([d.employee_id for d in todo])
        positions = Position.objects.select_for_update().in_bulk([d.position_id for d in todo])
        held = set(
            Employee.objects.filter(
                position_id__in=positions, status=EmployeeStatus.ACTIVE
            ).values_list("position_id", flat=True)
        )
        _check_promotions(todo, people, positions, held, to_rank=to_rank, entity_id=entity_id)
        left = dict(
            Position.objects.filter(
                pk__in=[p.position_id for p in people.values() if p.position_id]
            ).values_list("pk", "number")
        )
        actions = []
        moved_from = []
        for decision in todo:
            person = people[decision.employee_id]
            position = positions[decision.position_id]
            step = promotion_step(person.rank, person.step, to_rank)
            actions.append(
                EmploymentAction(
                    employee=person,
                    entity_id=person.entity_id,  # bulk_create skips EmploymentAction.save()
                    action_type=ActionType.PROMOTION,
                    decision_number=decision_number,
                    decision_date=decided_on,
                    effective_date=decided_on,
                    from_position_id=person.position_id,
                    to_position=position,
                    from_rank=person.rank,
                    to_rank=to_rank,
                    from_step=person.step,
                    to_step=step,
                    source=source,
                )
            )
            moved_from.append(person.position_id)
            person.rank, person.step, person.rank_since = to_rank, step, decided_on
            person.position, person.unit_id = position, position.unit_id
        EmploymentAction.objects.bulk_create(actions, batch_size=500)
        Employee.objects.bulk_update(
            people.values(), ["rank", "step", "rank_since", "position", "unit"], batch_size=500
        )
        Position.objects.filter(pk__in=positions).update(status=PositionStatus.OCCUPIED)
        _vacate_positions(moved_from)
        for action in actions:
            audit(
                action="record.promoted",
                actor=actor,
                subject=action.employee,
                entity_id=entity_id,
                changes={
                    "decision": decision_number,
                    "source": source,
                    "from_rank": action.from_rank,
                    "to_rank": to_rank,
                    "from_position": left.get(action.from_position_id, ""),
                    "to_position": action.to_position.number,
                },
            )
    return actions


def _check_promotions(todo, people, positions, held, *, to_rank: int, entity_id: int) -> None:
    if len({d.position_id for d in todo}) != len(todo):
        raise WorkflowError(_("One position cannot go to two people."), status=409)
    for decision in todo:
        person = people.get(decision.employee_id)
        position = positions.get(decision.position_id)
        if person is None or position is None:
            raise WorkflowError(_("A person or a position of the decision no longer exists."))
        if person.entity_id != entity_id or position.entity_id != entity_id:
            raise WorkflowError(
                _("%(id)s or position %(number)s belongs to another entity.")
                % {"id": person.national_id, "number": position.number}
            )
        if not person.in_service:
            raise WorkflowError(
                _("%(id)s is no longer in service and cannot be promoted.")
                % {"id": person.national_id},
                status=409,
            )
        if person.rank != to_rank - 1:
            raise WorkflowError(
                _("%(id)s now holds rank %(rank)s, not the rank below %(target)s.")
                % {"id": person.national_id, "rank": person.rank, "target": to_rank},
                status=409,
            )
        if (
            position.rank != to_rank
            or position.status != PositionStatus.VACANT
            or (position.pk in held)
        ):
            raise WorkflowError(
                _("Position %(number)s is no longer a vacant position of rank %(rank)s.")
                % {"number": position.number, "rank": to_rank},
                status=409,
            )


def _vacate_positions(position_ids) -> None:
    """Positions left behind are vacant unless someone in service still holds them (frozen
    ones stay frozen)."""
    ids = {pk for pk in position_ids if pk}
    still_held = Employee.objects.filter(position_id__in=ids, status=EmployeeStatus.ACTIVE)
    Position.objects.filter(pk__in=ids).exclude(status=PositionStatus.FROZEN).exclude(
        pk__in=still_held.values("position_id")
    ).update(status=PositionStatus.VACANT)

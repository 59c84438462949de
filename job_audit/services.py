"""Every write of the job-data audit: audit runs, finding states, job variables."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.audit import audit
from core.notifications import notify
from core.uploads import files_removed_on_rollback, store_privately
from core.workflow import Role, Transition, Workflow, WorkflowError, next_reference
from employment_records.models import (
    Employee,
    EmployeeStatus,
    JobClass,
    OrganisationalUnit,
    Position,
    PositionStatus,
)

from .findings import DEFAULT_CHUNK_SIZE, Found, entity_findings
from .models import (
    OPEN_REQUEST_STATUSES,
    AbolishedPosition,
    AuditRun,
    Finding,
    FindingHistory,
    FindingState,
    JobVariable,
    PositionHistory,
    RequestStatus,
    RunStatus,
    VariableAttachment,
    VariableRequest,
    VariableRequestHistory,
    VariableType,
)

# A refused use case: `message` is translated and shown beside `field`; views answer `status`.
JobAuditError = WorkflowError


def inventory(entity_id: int):
    """The entity's positions, abolished ones left out."""
    return Position.objects.filter(entity_id=entity_id, abolition__isnull=True)


# A run not finished after this long was lost (100,000 positions take a few minutes).
STALE_RUN = dt.timedelta(hours=2)


# --- audit runs ------------------------------------------------------------------------------


def start_audit_run(*, entity_id: int, actor=None, request=None) -> AuditRun:
    """Queue an audit of the entity; a run already queued or running is returned instead."""
    from .tasks import batch_run_audit

    active = AuditRun.objects.filter(
        entity_id=entity_id, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
    )
    # A run whose task was lost (a dead worker, a purged queue) must not block the entity
    # for ever: after STALE_RUN it counts as failed and a new one starts.
    active.filter(created_at__lt=timezone.now() - STALE_RUN).update(
        status=RunStatus.FAILED,
        finished_at=timezone.now(),
        error="abandoned: no progress for too long",
    )
    existing = active.first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            run = AuditRun.objects.create(
                entity_id=entity_id,
                requested_by=actor if getattr(actor, "is_authenticated", False) else None,
                positions_total=inventory(entity_id).count(),
            )
            audit(
                action="job_audit.run.queued",
                actor=actor,
                subject=run,
                entity_id=entity_id,
                request=request,
            )
            transaction.on_commit(lambda: batch_run_audit.delay(run.pk))
    except IntegrityError:  # a concurrent click queued one first
        return AuditRun.objects.get(
            entity_id=entity_id, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
        )
    return run


def _store_chunk(run: AuditRun, found: list[Found], now) -> tuple[int, int]:
    """Create the chunk's new findings and mark the known ones as seen by this run; a known
    finding that had gone is open again. A constant number of queries per chunk.
    Returns (new, reopened)."""
    if not found:
        return 0, 0
    by_print = {f.fingerprint: f for f in found}
    known = {
        row.fingerprint: row
        for row in Finding.objects.filter(entity_id=run.entity_id, fingerprint__in=list(by_print))
    }
    new = [
        Finding(
            entity_id=run.entity_id,
            fingerprint=key,
            type=f.type,
            severity=f.severity,
            position_id=f.position_id,
            employee_id=f.employee_id,
            other_employee_id=f.other_employee_id,
            details=f.details,
            first_run=run,
            last_run=run,
        )
        for key, f in by_print.items()
        if key not in known
    ]
    Finding.objects.bulk_create(new, batch_size=1000)
    reopened = [row for row in known.values() if row.state == FindingState.CLOSED]
    changed = []
    for key, row in known.items():
        if row.details != by_print[key].details:
            row.details = by_print[key].details
            changed.append(row)
    if changed:
        Finding.objects.bulk_update(changed, ["details"], batch_size=1000)
    if known:
        Finding.objects.filter(pk__in=[row.pk for row in known.values()]).update(last_run=run)
    if reopened:
        Finding.objects.filter(pk__in=[row.pk for row in reopened]).update(
            state=FindingState.OPEN, note=""
        )
    history = [
        FindingHistory(finding=row, state=FindingState.OPEN, previous="", run=run, at=now)
        for row in new
    ] + [
        FindingHistory(
            finding=row, state=FindingState.OPEN, previous=FindingState.CLOSED, run=run, at=now
        )
        for row in reopened
    ]
    FindingHistory.objects.bulk_create(history, batch_size=1000)
    return len(new), len(reopened)


def _close_gone(run: AuditRun, now) -> int:
    """Findings this run did not see are gone: closed, whatever their state was."""
    gone = Finding.objects.filter(entity_id=run.entity_id).exclude(last_run=run).current()
    closed = 0
    while True:
        batch = list(gone.values_list("pk", "state")[:DEFAULT_CHUNK_SIZE])
        if not batch:
            return closed
        FindingHistory.objects.bulk_create(
            [
                FindingHistory(
                    finding_id=pk, state=FindingState.CLOSED, previous=state, run=run, at=now
                )
                for pk, state in batch
            ],
            batch_size=1000,
        )
        Finding.objects.filter(pk__in=[pk for pk, _state in batch]).update(
            state=FindingState.CLOSED
        )
        closed += len(batch)


def run_audit(*, run_id: int, chunk_size: int = DEFAULT_CHUNK_SIZE) -> AuditRun:
    """Do the work of a queued run (the task calls this). Each chunk commits on its own, so
    the page shows progress; the findings' final state is written at the end."""
    with transaction.atomic():
        run = AuditRun.objects.select_for_update().get(pk=run_id)
        if run.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
            return run  # already done by an earlier delivery of the task
        run.status = RunStatus.RUNNING
        run.started_at = run.started_at or timezone.now()
        run.positions_total = inventory(run.entity_id).count()
        run.save(update_fields=["status", "started_at", "positions_total"])
    try:
        opened = 0
        for done, found in entity_findings(entity_id=run.entity_id, chunk_size=chunk_size):
            now = timezone.now()
            with transaction.atomic():
                new, reopened = _store_chunk(run, found, now)
                opened += new + reopened
                AuditRun.objects.filter(pk=run.pk).update(positions_done=done)
        with transaction.atomic():
            now = timezone.now()
            closed = _close_gone(run, now)
            counts = dict(
                Finding.objects.filter(entity_id=run.entity_id, last_run=run)
                .values_list("type")
                .annotate(n=Count("pk"))
                .values_list("type", "n")
            )
            AuditRun.objects.filter(pk=run.pk).update(
                status=RunStatus.DONE,
                finished_at=now,
                positions_done=run.positions_total,
                counts=counts,
                opened=opened,
                closed=closed,
            )
            audit(
                action="job_audit.run.done",
                subject=run,
                entity_id=run.entity_id,
                changes={"counts": counts, "opened": opened, "closed": closed},
            )
    except Exception as error:
        AuditRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, finished_at=timezone.now(), error=repr(error)[:2000]
        )
        raise
    run.refresh_from_db()
    return run


def request_summary(*, run_id: int, actor):
    """A ministry auditor asks for the run's summary PDF, rendered by the documents worker
    (core.documents). One summary per run: a second request returns the one being prepared
    or issued."""
    from core.documents import request_document

    from .documents import SUMMARY_DOCUMENT
    from .selectors import summary_document

    with transaction.atomic():
        # The run's row is the lock: two clicks at once make one document.
        run = AuditRun.objects.select_for_update().select_related("entity").get(pk=run_id)
        if run.status != RunStatus.DONE:
            raise JobAuditError(_("Only a finished audit run has a summary."), status=409)
        existing = summary_document(entity_id=run.entity_id, run_id=run.pk)
        if existing is not None:
            return existing
        return request_document(
            kind=SUMMARY_DOCUMENT,
            requested_by=actor,
            entity=run.entity,
            params={"run": run.pk},
        )


# --- finding states --------------------------------------------------------------------------

MARKABLE = {FindingState.RESOLVED, FindingState.JUSTIFIED, FindingState.OPEN}


@transaction.atomic
def mark_finding(
    *, finding_id: int, entity_id: int, state: str, note: str, actor, request=None
) -> Finding:
    """A specialist marks a finding of their entity resolved (naming the correction or the
    variable that fixed it), justified (with a reason), or open again."""
    finding = Finding.objects.select_for_update().filter(entity_id=entity_id, pk=finding_id).first()
    if finding is None:
        raise Finding.DoesNotExist
    note = (note or "").strip()
    if state not in MARKABLE:
        raise JobAuditError(_("Choose resolved, justified or open."), field="state")
    if finding.state == FindingState.CLOSED:
        raise JobAuditError(
            _("This finding is gone: the latest audit run no longer sees it."), status=409
        )
    if state == FindingState.JUSTIFIED and not note:
        raise JobAuditError(_("Give the reason that justifies this finding."), field="note")
    if state == FindingState.RESOLVED and not note:
        raise JobAuditError(
            _("Name the correction or the job variable that resolved this finding."),
            field="note",
        )
    previous = finding.state
    finding.state = state
    finding.note = note if state != FindingState.OPEN else ""
    finding.save(update_fields=["state", "note"])
    FindingHistory.objects.create(
        finding=finding, state=state, previous=previous, note=note, actor=actor
    )
    audit(
        action=f"job_audit.finding.{state}",
        actor=actor,
        subject=finding,
        entity_id=entity_id,
        request=request,
        changes={"state": {"old": previous, "new": state}, "note": note},
    )
    return finding


# --- job variables ---------------------------------------------------------------------------

# The ministry's answer is due this many days after a request is submitted; the clock stops
# while a returned request waits on the entity.
AUDIT_SLA_DAYS = 15
# A request returned for changes should come back within this many days (the entity's side
# of the SLA, shown on the HR home's queue).
CHANGES_SLA_DAYS = 15


def _apply_effect(variable_request, step) -> None:
    apply_variables(variable_request=variable_request, actor=step.actor)


def _decided(variable_request, step) -> None:
    variable_request.decided_at = timezone.now()
    variable_request.save(update_fields=["decided_at"])


def _notify_preparer(variable_request, step) -> None:
    user = variable_request.created_by
    with translation.override(getattr(user, "preferred_language", "") or "ar"):
        status = str(variable_request.get_status_display())
    _notify(
        user=user,
        kind="job_variables_decided",
        context={"number": variable_request.number, "status": status},
    )


WORKFLOW = Workflow(
    statuses=RequestStatus,
    history=VariableRequestHistory,
    subject_field="request",
    audit_prefix="job_variables",
    # The specialist who prepared the request files it (Role.SUBJECT) and never audits it.
    people=lambda variable_request: {variable_request.created_by_id} - {None},
    entity_of=lambda variable_request: variable_request.entity_id,
    transitions=[
        Transition(
            "create",
            (),
            RequestStatus.DRAFT,
            frozenset({Role.SUBJECT}),
            label=_("Create the request"),
        ),
        Transition(
            "submit",
            (RequestStatus.DRAFT, RequestStatus.RETURNED),
            RequestStatus.SUBMITTED,
            frozenset({Role.SUBJECT}),
            label=_("Submit to the ministry"),
            clock="resume",
        ),
        Transition(
            "start_audit",
            (RequestStatus.SUBMITTED,),
            RequestStatus.UNDER_AUDIT,
            frozenset({Role.MINISTRY}),
            label=_("Start the audit"),
        ),
        Transition(
            "approve",
            (RequestStatus.SUBMITTED, RequestStatus.UNDER_AUDIT),
            RequestStatus.APPROVED,
            frozenset({Role.MINISTRY}),
            label=_("Approve and apply"),
            checker_of=("submit",),
            effects=(_apply_effect, _decided, _notify_preparer),
        ),
        Transition(
            "reject",
            (RequestStatus.SUBMITTED, RequestStatus.UNDER_AUDIT),
            RequestStatus.REJECTED,
            frozenset({Role.MINISTRY}),
            label=_("Reject"),
            checker_of=("submit",),
            effects=(_decided, _notify_preparer),
        ),
        Transition(
            "return",
            (RequestStatus.SUBMITTED, RequestStatus.UNDER_AUDIT),
            RequestStatus.RETURNED,
            frozenset({Role.MINISTRY}),
            label=_("Return for changes"),
            clock="pause",
            effects=(_notify_preparer,),
        ),
    ],
)


def _notify(*, user, kind: str, context: dict) -> None:
    """A notice to a person (SMS and inbox): an outbox row in the caller's transaction."""
    if user is None:
        return
    notify(user=user, kind=kind, context={**context, "site": settings.SITE_URL})


@dataclass(frozen=True)
class VariableInput:
    type: str
    justification: str
    position: Position | None = None
    new_number: str = ""
    unit: OrganisationalUnit | None = None
    job_class: JobClass | None = None
    new_rank: int | None = None
    exceptional: bool = False


def _held(position: Position) -> bool:
    return Employee.objects.filter(position=position, status=EmployeeStatus.ACTIVE).exists()


def check_variable(
    *, entity_id: int, data: VariableInput, variable_request=None, exclude_id=None
) -> None:
    """Every rule a variable must meet, against the inventory as it is now; WorkflowError with
    the field it belongs to. Run when a variable is added and again when it is approved."""
    kind = VariableType(data.type)
    if not (data.justification or "").strip():
        raise JobAuditError(_("Give the justification of this change."), field="justification")
    if kind == VariableType.CREATE:
        number = (data.new_number or "").strip()
        if not number:
            raise JobAuditError(_("Give the new position's number."), field="new_number")
        if Position.objects.filter(entity_id=entity_id, number=number).exists():
            raise JobAuditError(
                _("Position number %(number)s is already used in your entity.")
                % {"number": number},
                field="new_number",
            )
        pending = JobVariable.objects.filter(
            request__entity_id=entity_id,
            request__status__in=OPEN_REQUEST_STATUSES,
            type=VariableType.CREATE,
            new_number=number,
        ).exclude(pk=exclude_id)
        if pending.exists():
            raise JobAuditError(
                _("Position number %(number)s is already asked for in another open variable.")
                % {"number": number},
                field="new_number",
            )
        if data.unit is None or data.unit.entity_id != entity_id:
            raise JobAuditError(_("Choose a unit of your entity."), field="unit")
        if data.job_class is None:
            raise JobAuditError(_("Choose the job class."), field="job_class")
        if data.new_rank != data.job_class.rank:
            raise JobAuditError(
                _("Class %(code)s is of rank %(class_rank)s: the position's rank must match it.")
                % {"code": data.job_class.code, "class_rank": data.job_class.rank},
                field="new_rank",
            )
        return
    position = data.position
    if position is None or position.entity_id != entity_id or _is_abolished(position):
        raise JobAuditError(_("Choose a position of your entity."), field="position")
    if variable_request is not None:
        twice = variable_request.variables.filter(position=position).exclude(pk=exclude_id)
        if twice.exists():
            raise JobAuditError(
                _("This request already has a change to position %(number)s.")
                % {"number": position.number},
                field="position",
            )
    held = _held(position)
    if kind in (VariableType.ABOLISH, VariableType.DOWNGRADE, VariableType.FREEZE) and held:
        raise JobAuditError(
            _(
                "Position %(number)s is occupied by an employee in service: it cannot be "
                "abolished, downgraded or frozen."
            )
            % {"number": position.number},
            field="position",
        )
    if kind == VariableType.UPGRADE:
        if data.new_rank is None or data.new_rank <= position.rank:
            raise JobAuditError(
                _("An upgrade needs a rank above the current rank %(rank)s.")
                % {"rank": position.rank},
                field="new_rank",
            )
        if data.new_rank > 15:
            raise JobAuditError(_("Ranks go from 1 to 15."), field="new_rank")
        if data.new_rank - position.rank > 1 and not data.exceptional:
            raise JobAuditError(
                _(
                    "An upgrade is by one rank (to %(next)s). Mark it exceptional and justify "
                    "it to go further."
                )
                % {"next": position.rank + 1},
                field="new_rank",
            )
    elif kind == VariableType.DOWNGRADE:
        if data.new_rank is None or not 1 <= data.new_rank < position.rank:
            raise JobAuditError(
                _("A downgrade needs a rank below the current rank %(rank)s.")
                % {"rank": position.rank},
                field="new_rank",
            )
    elif kind == VariableType.RECLASSIFY:
        if data.job_class is None or data.job_class.pk == position.job_class_id:
            raise JobAuditError(
                _("Choose the class the position moves to (not its current class)."),
                field="job_class",
            )
        if data.job_class.rank != position.rank:
            raise JobAuditError(
                _(
                    "Class %(code)s is of rank %(class_rank)s and the position of rank "
                    "%(rank)s: the class does not fit the rank."
                )
                % {
                    "code": data.job_class.code,
                    "class_rank": data.job_class.rank,
                    "rank": position.rank,
                },
                field="job_class",
            )
    elif kind == VariableType.TRANSFER:
        if data.unit is None or data.unit.entity_id != entity_id:
            raise JobAuditError(_("The target unit must belong to your entity."), field="unit")
        if data.unit.pk == position.unit_id:
            raise JobAuditError(_("The position is already in this unit."), field="unit")
    elif kind == VariableType.FREEZE:
        if position.status == PositionStatus.FROZEN:
            raise JobAuditError(_("This position is already frozen."), field="position")
    elif kind == VariableType.UNFREEZE and position.status != PositionStatus.FROZEN:
        raise JobAuditError(_("Only a frozen position can be unfrozen."), field="position")


def _is_abolished(position: Position) -> bool:
    return AbolishedPosition.objects.filter(position_id=position.pk).exists()


def _input_of(variable: JobVariable) -> VariableInput:
    return VariableInput(
        type=variable.type,
        justification=variable.justification,
        position=variable.position,
        new_number=variable.new_number,
        unit=variable.unit,
        job_class=variable.job_class,
        new_rank=variable.new_rank,
        exceptional=variable.exceptional,
    )


def _locked_request(*, request_id: int, entity_id: int | None = None) -> VariableRequest:
    rows = VariableRequest.objects.select_for_update()
    if entity_id is not None:
        rows = rows.filter(entity_id=entity_id)
    return rows.get(pk=request_id)  # DoesNotExist -> 404 in the view


@transaction.atomic
def create_request(*, entity_id: int, title: str, actor, request=None) -> VariableRequest:
    title = (title or "").strip()
    if not title:
        raise JobAuditError(_("Give the request a title."), field="title")
    variable_request = VariableRequest.objects.create(
        number=next_reference(prefix="JV"), entity_id=entity_id, title=title, created_by=actor
    )
    WORKFLOW.start(variable_request, "create", actor=actor, request=request)
    return variable_request


def add_variable(
    *, request_id: int, entity_id: int, data: VariableInput, attachment=None, actor, request=None
) -> JobVariable:
    """Add a checked variable to a draft (or returned) request, with an optional attachment
    checked by core.uploads; the file is removed again if the row is not written."""
    with files_removed_on_rollback() as stored, transaction.atomic():
        variable_request = _locked_request(request_id=request_id, entity_id=entity_id)
        if not variable_request.is_editable:
            raise JobAuditError(
                _("This request is “%(status)s”: its variables can no longer change.")
                % {"status": variable_request.get_status_display()},
                status=409,
            )
        check_variable(entity_id=entity_id, data=data, variable_request=variable_request)
        variable = JobVariable.objects.create(
            request=variable_request,
            type=data.type,
            position=data.position if data.type != VariableType.CREATE else None,
            new_number=(data.new_number or "").strip() if data.type == VariableType.CREATE else "",
            unit=data.unit if data.type in (VariableType.CREATE, VariableType.TRANSFER) else None,
            job_class=data.job_class
            if data.type in (VariableType.CREATE, VariableType.RECLASSIFY)
            else None,
            new_rank=data.new_rank
            if data.type in (VariableType.CREATE, VariableType.UPGRADE, VariableType.DOWNGRADE)
            else None,
            exceptional=data.exceptional and data.type == VariableType.UPGRADE,
            justification=data.justification.strip(),
        )
        if attachment is not None:
            name = store_privately(attachment, folder="job_variables")
            stored.append(name)
            VariableAttachment.objects.create(
                variable=variable,
                storage_name=name,
                original_name=attachment.original_name,
                content_type=attachment.content_type,
                size=attachment.size,
            )
        audit(
            action="job_variables.add_variable",
            actor=actor,
            subject=variable_request,
            entity_id=entity_id,
            request=request,
            changes={"variable": variable.pk, "type": data.type},
        )
    return variable


@transaction.atomic
def remove_variable(*, request_id: int, variable_id: int, entity_id: int, actor, request=None):
    variable_request = _locked_request(request_id=request_id, entity_id=entity_id)
    if not variable_request.is_editable:
        raise JobAuditError(_("This request can no longer change."), status=409)
    variable = variable_request.variables.get(pk=variable_id)
    for attachment in variable.attachments.all():
        name = attachment.storage_name
        transaction.on_commit(lambda name=name: default_storage.delete(name))
    variable.delete()
    audit(
        action="job_variables.remove_variable",
        actor=actor,
        subject=variable_request,
        entity_id=entity_id,
        request=request,
        changes={"variable": variable_id},
    )


@transaction.atomic
def submit_request(*, request_id: int, entity_id: int, actor, request=None) -> VariableRequest:
    variable_request = _locked_request(request_id=request_id, entity_id=entity_id)
    variables = list(variable_request.variables.select_related("position", "unit", "job_class"))
    if not variables:
        raise JobAuditError(_("Add at least one job variable before submitting."), status=400)
    for variable in variables:
        check_variable(
            entity_id=entity_id,
            data=_input_of(variable),
            variable_request=variable_request,
            exclude_id=variable.pk,
        )
    now = timezone.now()
    if variable_request.due_at is None:
        variable_request.due_at = now + dt.timedelta(days=AUDIT_SLA_DAYS)
    variable_request.submitted_at = now
    variable_request.decision_note = ""
    variable_request.changes_due_at = None
    WORKFLOW.take(variable_request, "submit", actor=actor, role=Role.SUBJECT, request=request)
    return variable_request


@transaction.atomic
def decide_request(
    *, request_id: int, step: str, actor, note: str = "", request=None
) -> VariableRequest:
    """A ministry auditor starts the audit of, approves, rejects or returns a request.
    Approval applies every variable to the inventory in this one transaction."""
    if step not in ("start_audit", "approve", "reject", "return"):
        raise JobAuditError(_("Choose a decision."), status=400)
    note = (note or "").strip()
    if step in ("reject", "return") and not note:
        raise JobAuditError(_("Give the reason, so the entity knows what to do."), field="note")
    variable_request = _locked_request(request_id=request_id)
    if step == "start_audit":
        variable_request.auditor = actor
    if step in ("reject", "return"):
        variable_request.decision_note = note
    if step == "return":
        variable_request.changes_due_at = timezone.now() + dt.timedelta(days=CHANGES_SLA_DAYS)
    WORKFLOW.take(
        variable_request, step, actor=actor, role=Role.MINISTRY, note=note, request=request
    )
    return variable_request


def apply_variables(*, variable_request: VariableRequest, actor) -> list[PositionHistory]:
    """Apply every variable of an approved request. Runs inside the approval's transaction:
    one refusal (the inventory changed since submission) or error undoes all of it."""
    variables = list(
        variable_request.variables.select_related("position", "unit", "job_class").order_by("pk")
    )
    position_ids = [v.position_id for v in variables if v.position_id]
    locked = {p.pk: p for p in Position.objects.select_for_update().filter(pk__in=position_ids)}
    rows = []
    for variable in variables:
        if variable.position_id:
            variable.position = locked[variable.position_id]
        check_variable(
            entity_id=variable_request.entity_id,
            data=_input_of(variable),
            variable_request=variable_request,
            exclude_id=variable.pk,
        )
        rows.append(_apply_one(variable, actor))
    return rows


def _apply_one(variable: JobVariable, actor) -> PositionHistory:
    kind = VariableType(variable.type)
    position = variable.position
    if kind == VariableType.CREATE:
        position = Position.objects.create(
            number=variable.new_number,
            entity_id=variable.request.entity_id,
            unit=variable.unit,
            job_class=variable.job_class,
            rank=variable.new_rank,
            status=PositionStatus.VACANT,
        )
        variable.created_position = position
        variable.save(update_fields=["created_position"])
        changes = {
            "number": {"old": None, "new": position.number},
            "unit": {"old": None, "new": variable.unit.code},
            "job_class": {"old": None, "new": variable.job_class.code},
            "rank": {"old": None, "new": position.rank},
            "status": {"old": None, "new": PositionStatus.VACANT},
        }
    else:
        if kind in (VariableType.UPGRADE, VariableType.DOWNGRADE):
            changes = {"rank": {"old": position.rank, "new": variable.new_rank}}
            position.rank = variable.new_rank
        elif kind == VariableType.RECLASSIFY:
            changes = {
                "job_class": {"old": position.job_class.code, "new": variable.job_class.code}
            }
            position.job_class = variable.job_class
        elif kind == VariableType.TRANSFER:
            changes = {"unit": {"old": position.unit.code, "new": variable.unit.code}}
            position.unit = variable.unit
        elif kind == VariableType.UNFREEZE:
            # A frozen position someone still holds (a "frozen but occupied" finding) comes
            # back occupied, not vacant: unfreezing must not make a new finding.
            status = PositionStatus.OCCUPIED if _held(position) else PositionStatus.VACANT
            changes = {"status": {"old": position.status, "new": status}}
            position.status = status
        else:  # freeze, abolish: the position stops being offered
            changes = {"status": {"old": position.status, "new": PositionStatus.FROZEN}}
            position.status = PositionStatus.FROZEN
        position.save()
        if kind == VariableType.ABOLISH:
            AbolishedPosition.objects.create(position=position, variable=variable)
            changes["abolished"] = {"old": False, "new": True}
    row = PositionHistory.objects.create(
        position=position, variable=variable, type=kind, changes=changes, actor=actor
    )
    audit(
        action=f"job_variables.applied.{kind}",
        actor=actor,
        subject=position,
        entity_id=position.entity_id,
        changes=changes,
    )
    return row

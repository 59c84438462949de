"""Every write of the job-data audit: audit runs, finding states, job variables."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import audit
from employment_records.models import Position

from .findings import DEFAULT_CHUNK_SIZE, Found, entity_findings
from .models import AuditRun, Finding, FindingHistory, FindingState, RunStatus


class JobAuditError(Exception):
    """A refused use case; `message` is translated and shown to the person."""

    def __init__(self, message, *, field: str | None = None, status: int = 400):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.status = status


# --- audit runs ------------------------------------------------------------------------------


def start_audit_run(*, entity_id: int, actor=None, request=None) -> AuditRun:
    """Queue an audit of the entity; a run already queued or running is returned instead."""
    from .tasks import batch_run_audit

    existing = AuditRun.objects.filter(
        entity_id=entity_id, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            run = AuditRun.objects.create(
                entity_id=entity_id,
                requested_by=actor if getattr(actor, "is_authenticated", False) else None,
                positions_total=Position.objects.filter(entity_id=entity_id).count(),
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
        run.positions_total = Position.objects.filter(entity_id=run.entity_id).count()
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

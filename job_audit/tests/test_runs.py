"""Audit runs: stored findings, counts, carry-over of resolved/justified, closing what is gone."""

import pytest

from core.models import AuditEvent
from employment_records.models import Position, PositionStatus
from job_audit import services
from job_audit.findings import FindingType
from job_audit.models import AuditRun, Finding, FindingState, RunStatus

from .factories import clean_inventory

pytestmark = pytest.mark.django_db


def run_now(entity, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_audit_run(entity_id=entity.pk)
    run.refresh_from_db()
    return run


def test_a_run_stores_findings_and_counts(django_capture_on_commit_callbacks):
    entity, _unit, _cls, (a, b, c) = clean_inventory()
    a.rank = 9
    a.save()
    Position.objects.filter(pk=b.position_id).update(status=PositionStatus.FROZEN)
    run = run_now(entity, django_capture_on_commit_callbacks)
    assert run.status == RunStatus.DONE and run.percent == 100
    assert run.counts == {FindingType.RANK_MISMATCH: 1, FindingType.FROZEN_BUT_OCCUPIED: 1}
    assert run.positions_done == run.positions_total == 6
    assert run.opened == 2 and run.closed == 0
    assert {f.type for f in Finding.objects.filter(last_run=run)} == set(run.counts)
    assert AuditEvent.objects.filter(action="job_audit.run.done", entity_id=entity.pk).exists()


def test_resolved_and_justified_survive_a_rerun_and_gone_findings_close(
    django_capture_on_commit_callbacks, django_user_model
):
    entity, _unit, _cls, (a, b, c) = clean_inventory()
    for employee in (a, b, c):
        employee.rank = 9
        employee.save()
    first = run_now(entity, django_capture_on_commit_callbacks)
    fa, fb, fc = (Finding.objects.get(employee=e) for e in (a, b, c))
    services.mark_finding(
        finding_id=fa.pk,
        entity_id=entity.pk,
        state="justified",
        note="Exception 12/1447",
        actor=None,
    )
    services.mark_finding(
        finding_id=fb.pk, entity_id=entity.pk, state="resolved", note="Variable V-1", actor=None
    )
    # c is corrected in the record: its finding disappears in the next run.
    c.rank = 8
    c.save()
    second = run_now(entity, django_capture_on_commit_callbacks)
    assert second.pk != first.pk
    fa.refresh_from_db(), fb.refresh_from_db(), fc.refresh_from_db()
    assert (fa.state, fa.note, fa.last_run_id) == ("justified", "Exception 12/1447", second.pk)
    assert (fb.state, fb.last_run_id, fb.first_run_id) == ("resolved", second.pk, first.pk)
    assert fc.state == FindingState.CLOSED and fc.last_run_id == first.pk
    assert second.counts == {FindingType.RANK_MISMATCH: 2} and second.closed == 1
    assert [h.state for h in fc.history.all()] == ["open", "closed"]
    # The problem comes back: the same row opens again.
    c.rank = 7
    c.save()
    run_now(entity, django_capture_on_commit_callbacks)
    fc.refresh_from_db()
    assert fc.state == FindingState.OPEN
    assert [h.state for h in fc.history.all()] == ["open", "closed", "open"]


def test_marking_needs_a_reason_and_stays_in_the_entity(django_capture_on_commit_callbacks):
    entity, _unit, _cls, (a, *_rest) = clean_inventory()
    a.rank = 9
    a.save()
    run_now(entity, django_capture_on_commit_callbacks)
    finding = Finding.objects.get()
    with pytest.raises(services.JobAuditError) as refused:
        services.mark_finding(
            finding_id=finding.pk, entity_id=entity.pk, state="justified", note=" ", actor=None
        )
    assert refused.value.field == "note"
    other, *_ = clean_inventory()
    with pytest.raises(Finding.DoesNotExist):
        services.mark_finding(
            finding_id=finding.pk, entity_id=other.pk, state="justified", note="x", actor=None
        )


def test_a_second_start_joins_the_run_under_way():
    entity, *_ = clean_inventory()
    first = services.start_audit_run(entity_id=entity.pk)  # on_commit never ran: still queued
    assert services.start_audit_run(entity_id=entity.pk).pk == first.pk
    assert AuditRun.objects.count() == 1


def test_a_run_is_idempotent_and_queries_do_not_grow_with_positions(
    django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    small, *_ = clean_inventory(occupied=3, vacant=1, frozen=0)
    large, _unit, _cls, employees = clean_inventory(occupied=40, vacant=20, frozen=10)
    for employee in employees[:30]:
        employee.rank = 9
        employee.save()
    for entity in (small, large):
        run = AuditRun.objects.create(entity=entity)
        with django_assert_max_num_queries(30):
            services.run_audit(run_id=run.pk)
        run.refresh_from_db()
        assert run.status == RunStatus.DONE
        # A redelivered task does nothing.
        with django_assert_max_num_queries(3):  # savepoint, locked read, release
            services.run_audit(run_id=run.pk)
    assert Finding.objects.filter(entity=large).count() == 30


def test_a_run_that_fails_is_marked_failed(monkeypatch):
    entity, *_ = clean_inventory()
    run = AuditRun.objects.create(entity=entity)

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "entity_findings", broken)
    from job_audit.tasks import batch_run_audit

    batch_run_audit(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "database went away" in run.error


def test_a_lost_run_does_not_block_the_entity_for_ever():
    import datetime as dt

    from django.utils import timezone

    entity, *_ = clean_inventory()
    lost = services.start_audit_run(entity_id=entity.pk)
    AuditRun.objects.filter(pk=lost.pk).update(created_at=timezone.now() - dt.timedelta(hours=3))
    fresh = services.start_audit_run(entity_id=entity.pk)
    assert fresh.pk != lost.pk
    lost.refresh_from_db()
    assert lost.status == RunStatus.FAILED and "abandoned" in lost.error

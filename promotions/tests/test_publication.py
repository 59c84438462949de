"""Publication writes the promotion decisions into the employment record: one entry per
promoted person, their new rank, step and position, in the publication's transaction; running
it again changes nothing; a failure midway leaves everything as it was."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.tests.factories import grant_all
from core.models import AuditEvent
from core.workflow import WorkflowError
from employment_records import services as record_services
from employment_records.models import (
    ActionType,
    Employee,
    EmployeeStatus,
    EmploymentAction,
    EndReason,
    PerformanceEvaluation,
    Position,
    PositionStatus,
)
from employment_records.salary_scale import promotion_step
from promotions import services
from promotions.models import CandidateScore, OfferedPosition, Round, RoundStatus

from .factories import reviewed_round

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _reviewed_round(capture, *, users=False):
    return reviewed_round(capture, users=users)


def _snapshot(people):
    fields = ("pk", "rank", "step", "rank_since", "position_id", "unit_id")
    return (
        list(Employee.objects.filter(pk__in=[p.pk for p in people]).order_by("pk").values(*fields)),
        dict(Position.objects.order_by("pk").values_list("pk", "status")),
        EmploymentAction.objects.count(),
    )


def test_publication_writes_one_decision_per_promoted_person(django_capture_on_commit_callbacks):
    round_, offers, people, checker = _reviewed_round(django_capture_on_commit_callbacks)
    before = {p.pk: (p.rank, p.step, p.position_id) for p in people}
    services.take_step(round_id=round_.pk, name="publish", actor=checker)
    round_.refresh_from_db()
    decided = timezone.localdate(round_.published_at)

    written = EmploymentAction.objects.filter(source=f"promotion_round:{round_.pk}")
    assert sorted(written.values_list("employee_id", flat=True)) == sorted(
        [people[0].pk, people[1].pk]
    )
    for person, offered in zip(people[:2], offers, strict=True):
        action = written.get(employee=person)
        rank, step, old_position = before[person.pk]
        assert action.action_type == ActionType.PROMOTION
        assert action.decision_number == round_.decision_number == f"PROMO-{round_.pk}"
        assert action.decision_date == action.effective_date == decided
        assert (action.from_rank, action.to_rank) == (8, 9)
        assert (action.from_position_id, action.to_position_id) == (
            old_position,
            offered.position_id,
        )
        assert (action.from_step, action.to_step) == (step, promotion_step(rank, step, 9))
        person.refresh_from_db()
        assert (person.rank, person.step, person.rank_since) == (9, action.to_step, decided)
        assert person.position_id == offered.position_id
        assert person.unit_id == offered.position.unit_id
        assert Position.objects.get(pk=offered.position_id).status == PositionStatus.OCCUPIED
        assert Position.objects.get(pk=old_position).status == PositionStatus.VACANT
        assert AuditEvent.objects.filter(
            action="record.promoted", subject_id=str(person.pk), actor=checker
        ).exists()
    # The third was not promoted: their record is as it was.
    people[2].refresh_from_db()
    assert people[2].rank == 8
    assert not EmploymentAction.objects.filter(employee=people[2], source__gt="").exists()


def test_writing_the_decisions_again_changes_nothing(django_capture_on_commit_callbacks):
    round_, _offers, people, checker = _reviewed_round(django_capture_on_commit_callbacks)
    services.take_step(round_id=round_.pk, name="publish", actor=checker)
    round_.refresh_from_db()
    after_first = _snapshot(people)
    audits = AuditEvent.objects.filter(action="record.promoted").count()
    # A retried publication (a redelivered task, a second call) writes nothing more.
    assert services.record_decisions(round_, actor=checker) == []
    assert _snapshot(people) == after_first
    assert AuditEvent.objects.filter(action="record.promoted").count() == audits == 2
    # And the round cannot be published twice.
    with pytest.raises(WorkflowError):
        services.take_step(round_id=round_.pk, name="publish", actor=checker)
    assert _snapshot(people) == after_first


def test_a_failure_midway_changes_nothing(django_capture_on_commit_callbacks, monkeypatch):
    round_, _offers, people, checker = _reviewed_round(django_capture_on_commit_callbacks)
    before = _snapshot(people)
    real_audit = record_services.audit
    calls = []

    def audit_then_fail(**kwargs):
        # The actions and the employees are already written when the second audit row fails.
        calls.append(kwargs)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return real_audit(**kwargs)

    monkeypatch.setattr(record_services, "audit", audit_then_fail)
    with pytest.raises(RuntimeError):
        services.take_step(round_id=round_.pk, name="publish", actor=checker)
    assert len(calls) == 2
    assert _snapshot(people) == before
    round_.refresh_from_db()
    assert round_.status == RoundStatus.SCORED and round_.published_at is None
    assert OfferedPosition.objects.filter(round=round_, live=True).count() == 2
    assert not AuditEvent.objects.filter(
        action__in=["record.promoted", "promotion_round.publish"]
    ).exists()


def test_a_person_no_longer_promotable_refuses_the_publication(django_capture_on_commit_callbacks):
    round_, _offers, people, checker = _reviewed_round(django_capture_on_commit_callbacks)
    # The second promoted person's service ended after scoring.
    Employee.objects.filter(pk=people[1].pk).update(
        status=EmployeeStatus.ENDED,
        end_date=dt.date(2026, 11, 20),
        end_reason=EndReason.RESIGNATION,
    )
    before = _snapshot(people)
    with pytest.raises(WorkflowError, match="no longer in service") as refused:
        services.take_step(round_id=round_.pk, name="publish", actor=checker)
    assert refused.value.status == 409
    assert _snapshot(people) == before
    round_.refresh_from_db()
    assert round_.status == RoundStatus.SCORED


def test_a_position_taken_since_scoring_refuses_the_publication(
    django_capture_on_commit_callbacks,
):
    round_, offers, people, checker = _reviewed_round(django_capture_on_commit_callbacks)
    Position.objects.filter(pk=offers[0].position_id).update(status=PositionStatus.FROZEN)
    with pytest.raises(WorkflowError, match="no longer a vacant position"):
        services.take_step(round_id=round_.pk, name="publish", actor=checker)
    assert not EmploymentAction.objects.filter(source__gt="").exists()


def test_a_rescore_after_the_review_needs_a_new_review(django_capture_on_commit_callbacks):
    round_, _offers, _people, checker = _reviewed_round(django_capture_on_commit_callbacks)
    maker = round_.history.get(transition="review").actor
    with django_capture_on_commit_callbacks(execute=True):
        services.start_scoring(round_id=round_.pk, actor=maker)
    with pytest.raises(WorkflowError, match="review"):
        services.take_step(round_id=round_.pk, name="publish", actor=checker)
    services.take_step(round_id=round_.pk, name="review", actor=maker)
    services.take_step(round_id=round_.pk, name="publish", actor=checker)
    assert Round.objects.get(pk=round_.pk).status == RoundStatus.PUBLISHED


def test_the_record_page_shows_the_decision_and_links_the_round(
    client, django_capture_on_commit_callbacks
):
    round_, offers, people, checker = _reviewed_round(
        django_capture_on_commit_callbacks, users=True
    )
    services.take_step(round_id=round_.pk, name="publish", actor=checker)
    promoted = people[0]
    grant_all(promoted)
    client.force_login(promoted.user)
    page = client.get(
        reverse("employment_records:record"), {"type": "promotion"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert f"PROMO-{round_.pk}" in page
    assert offers[0].position.number in page
    assert "Source:" in page and "Promotion round" in page
    assert reverse("promotions:result", args=[round_.pk]) in page
    # The link leads to the person's result, which names the position.
    result = client.get(reverse("promotions:result", args=[round_.pk]))
    assert result.status_code == 200
    assert offers[0].position.number in result.content.decode()
    row = CandidateScore.objects.get(round=round_, employee=promoted)
    assert row.outcome == "promoted"
    # The round's page shows the points as scored, not recomputed from the record as it is now
    # (a promoted person's time in rank starts again on the new rank).
    PerformanceEvaluation.objects.filter(employee=promoted).update(score=10)
    readiness = client.get(
        reverse("promotions:round", args=[round_.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert f'id="readiness-total">{row.total}<' in readiness


def test_publication_tells_every_candidate_with_an_account(django_capture_on_commit_callbacks):
    """In the publication's transaction, through notify_many: promoted or not, each candidate
    with an account gets one notice; the SMS follows after commit."""
    from core.models import Notification

    round_, _offers, people, checker = _reviewed_round(
        django_capture_on_commit_callbacks, users=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.take_step(round_id=round_.pk, name="publish", actor=checker)
    notices = Notification.objects.filter(kind="promotion_result")
    assert sorted(notices.values_list("recipient_id", flat=True)) == sorted(
        person.user_id for person in people
    )
    assert all(round_.title_ar in notice.body for notice in notices)

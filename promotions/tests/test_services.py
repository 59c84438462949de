"""Services against the database: offers, readiness, scoring, preferences, publication."""

import datetime as dt
import uuid

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from accounts.tests.factories import UserFactory, make_hr_specialist
from core.models import AuditEvent
from core.workflow import Role, WorkflowError
from employment_records.models import ActionType, PositionStatus
from employment_records.tests.factories import ActionFactory, EntityFactory, PositionFactory
from promotions import services
from promotions.models import (
    CandidateScore,
    Eligibility,
    OfferedPosition,
    Preference,
    PreferenceSubmission,
    Round,
    RoundHistory,
    RoundStatus,
)

from .factories import RoundFactory, candidate, offer, vacant_position

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # Refusal messages are matched in English (the Arabic catalogue is the default).
    with translation.override("en"):
        yield


def test_weights_must_sum_to_100():
    with pytest.raises(IntegrityError), transaction.atomic():
        RoundFactory(weight_performance=60)


def test_only_vacant_positions_of_the_target_rank_and_entity_are_offered():
    round_ = RoundFactory()
    hr = make_hr_specialist(round_.entity)
    occupied = PositionFactory(entity=round_.entity, status=PositionStatus.OCCUPIED)
    occupied.job_class.rank = occupied.rank = 9
    occupied.save()
    with pytest.raises(WorkflowError, match="not vacant"):
        services.offer_positions(round_=round_, positions=[occupied], actor=hr)
    with pytest.raises(WorkflowError, match="rank 8"):
        services.offer_positions(
            round_=round_, positions=[vacant_position(round_.entity, rank=8)], actor=hr
        )
    with pytest.raises(WorkflowError, match="another entity"):
        services.offer_positions(
            round_=round_, positions=[vacant_position(EntityFactory())], actor=hr
        )
    good = vacant_position(round_.entity)
    services.offer_positions(round_=round_, positions=[good], actor=hr)
    other = RoundFactory(entity=round_.entity)
    with pytest.raises(WorkflowError, match="already offered"):
        services.offer_positions(round_=other, positions=[good], actor=hr)
    # The database refuses a second live offer even past the service.
    with pytest.raises(IntegrityError), transaction.atomic():
        OfferedPosition.objects.create(round=other, position=good)
    assert OfferedPosition.objects.filter(position=good).count() == 1


def _open_round(n_positions=3, **kwargs):
    round_ = RoundFactory(status=RoundStatus.OPEN, **kwargs)
    offers = offer(round_, n_positions)
    return round_, offers


def test_readiness_counts_per_failed_rule():
    round_, _offers = _open_round()
    candidate(round_.entity)
    candidate(round_.entity, rating="unsatisfactory")
    candidate(round_.entity, since=dt.date(2024, 1, 1))
    candidate(round_.entity, saudi=False)
    counts = services.check_readiness(round_=round_)
    assert counts["eligible"] == 1 and counts["total"] == 4
    assert dict(counts["failed"]) == {"saudi": 1, "time_in_rank": 1, "performance": 1}


def test_an_excluded_suspension_comes_from_the_record():
    round_, _offers = _open_round()
    person = candidate(round_.entity, since=dt.date(2022, 10, 1))
    ok, _f = services.evaluate_person(round_=round_, employee=person)
    assert ok[3].passed
    ActionFactory(
        employee=person,
        action_type=ActionType.SUSPENSION,
        effective_date=dt.date(2023, 1, 1),
        end_date=dt.date(2023, 12, 31),
        ended_in_penalty=True,
        to_rank=None,
    )
    failed, _f = services.evaluate_person(round_=round_, employee=person)
    assert not failed[3].passed and failed[3].values["excluded_days"] == 365


def _save(person, round_, offers, token=None):
    return services.save_preferences(
        employee=person,
        round_id=round_.pk,
        offered_ids=[o.pk for o in offers],
        token=token or uuid.uuid4(),
    )


def test_preferences_are_saved_with_a_receipt_once_per_token():
    round_, offers = _open_round()
    person = candidate(round_.entity, user=UserFactory())
    token = uuid.uuid4()
    first = _save(person, round_, [offers[1], offers[0]], token)
    again = _save(person, round_, [offers[1], offers[0]], token)
    assert first.created and not again.created
    assert first.submission.pk == again.submission.pk
    assert first.submission.receipt.startswith("PR-")
    assert list(
        Preference.objects.filter(employee=person).values_list("offered_id", flat=True)
    ) == [offers[1].pk, offers[0].pk]
    # A new list replaces the old one.
    _save(person, round_, [offers[2]])
    assert Preference.objects.filter(employee=person).count() == 1
    assert PreferenceSubmission.objects.filter(employee=person).count() == 2


@pytest.mark.parametrize(
    "case",
    ["closed", "too_many", "duplicate", "not_offered", "ineligible", "other_entity", "late"],
)
def test_bad_preferences_are_refused_and_nothing_is_saved(case):
    round_, offers = _open_round(max_preferences=2)
    person = candidate(round_.entity)
    ids = [offers[0].pk]
    if case == "closed":
        Round.objects.filter(pk=round_.pk).update(status=RoundStatus.CLOSED)
    elif case == "late":
        Round.objects.filter(pk=round_.pk).update(
            closes_at=timezone.now() - dt.timedelta(seconds=1)
        )
    elif case == "too_many":
        ids = [o.pk for o in offers]
    elif case == "duplicate":
        ids = [offers[0].pk, offers[0].pk]
    elif case == "not_offered":
        other_round = RoundFactory(entity=round_.entity)
        ids = [offer(other_round)[0].pk]
    elif case == "ineligible":
        person = candidate(round_.entity, rating="unsatisfactory")
    elif case == "other_entity":
        person = candidate(EntityFactory())
    with pytest.raises(WorkflowError) as refused:
        services.save_preferences(
            employee=person, round_id=round_.pk, offered_ids=ids, token=uuid.uuid4()
        )
    assert 400 <= refused.value.status < 500
    assert not Preference.objects.exists() and not PreferenceSubmission.objects.exists()


def _scored_round(django_capture_on_commit_callbacks):
    round_, offers = _open_round(n_positions=2)
    hr = make_hr_specialist(round_.entity)
    people = [candidate(round_.entity, score=s) for s in ("95.00", "90.00", "85.00")]
    candidate(round_.entity, rating="unsatisfactory")
    for person in people:
        _save(person, round_, [offers[0], offers[1]])
    services.take_step(round_id=round_.pk, name="close", actor=hr)
    with django_capture_on_commit_callbacks(execute=True):
        services.start_scoring(round_id=round_.pk, actor=hr)
    return Round.objects.get(pk=round_.pk), offers, people, hr


def test_scoring_assigns_by_score_and_moves_the_round_to_scored(django_capture_on_commit_callbacks):
    round_, offers, people, _hr = _scored_round(django_capture_on_commit_callbacks)
    assert round_.status == RoundStatus.SCORED and round_.scoring_percent == 100
    table = list(CandidateScore.objects.filter(round=round_).order_by("place"))
    assert [row.employee_id for row in table] == [p.pk for p in people]
    assert [row.assigned_id for row in table] == [offers[0].pk, offers[1].pk, None]
    assert table[2].outcome == "all_taken"
    assert Eligibility.objects.filter(round=round_, eligible=False).count() == 1
    assert RoundHistory.objects.filter(round=round_, transition="score", actor=None).exists()


def test_rescoring_gives_the_same_table(django_capture_on_commit_callbacks):
    round_, _offers, _people, hr = _scored_round(django_capture_on_commit_callbacks)
    fields = ("employee_id", "total", "place", "assigned_id", "criteria", "decided_by")
    before = list(CandidateScore.objects.filter(round=round_).order_by("place").values(*fields))
    with django_capture_on_commit_callbacks(execute=True):
        services.start_scoring(round_id=round_.pk, actor=hr)
    after = list(CandidateScore.objects.filter(round=round_).order_by("place").values(*fields))
    assert before == after


def test_scoring_resumes_from_its_cursor_and_queries_do_not_grow_with_the_chunk(
    django_assert_max_num_queries,
):
    round_, offers = _open_round(n_positions=2)
    for i in range(12):
        candidate(round_.entity, score=f"{60 + i}.00")
    Round.objects.filter(pk=round_.pk).update(status=RoundStatus.CLOSED)
    round_.refresh_from_db()
    minimum = services.min_qualification(round_)
    ids = list(services.population(round_).order_by("pk").values_list("pk", flat=True))
    with django_assert_max_num_queries(14) as small:
        services.score_chunk(round_, ids[:2], minimum)
    with django_assert_max_num_queries(len(small.captured_queries)):
        services.score_chunk(round_, ids[2:], minimum)
    # A run that stopped after the first chunk resumes where it stopped.
    Round.objects.filter(pk=round_.pk).update(
        scoring_cursor=ids[1], scoring_done=2, scoring_total=12
    )
    services.run_scoring(round_id=round_.pk, chunk=5)
    round_.refresh_from_db()
    assert round_.status == RoundStatus.SCORED
    assert CandidateScore.objects.filter(round=round_, place__isnull=False).count() == 12


def test_publication_needs_a_second_specialist(django_capture_on_commit_callbacks):
    round_, _offers, people, hr = _scored_round(django_capture_on_commit_callbacks)
    with pytest.raises(WorkflowError, match="review"):
        services.take_step(round_id=round_.pk, name="publish", actor=hr)
    services.take_step(round_id=round_.pk, name="review", actor=hr)
    with pytest.raises(WorkflowError) as refused:
        services.take_step(round_id=round_.pk, name="publish", actor=hr)
    assert refused.value.status == 403
    second = make_hr_specialist(round_.entity)
    services.take_step(round_id=round_.pk, name="publish", actor=second)
    round_.refresh_from_db()
    assert round_.status == RoundStatus.PUBLISHED and round_.published_at is not None
    assert not OfferedPosition.objects.filter(round=round_, live=True).exists()
    assert AuditEvent.objects.filter(action="promotion_round.publish", actor=second).exists()


def test_the_clock_opens_and_closes_rounds():
    now = timezone.now()
    opening = RoundFactory(status=RoundStatus.ANNOUNCED, opens_at=now - dt.timedelta(minutes=1))
    closing = RoundFactory(
        status=RoundStatus.OPEN,
        opens_at=now - dt.timedelta(days=7),
        closes_at=now - dt.timedelta(seconds=1),
    )
    moved = services.advance_by_clock(now=now)
    assert (opening.pk, "open") in moved and (closing.pk, "close") in moved
    opening.refresh_from_db()
    closing.refresh_from_db()
    assert (opening.status, closing.status) == (RoundStatus.OPEN, RoundStatus.CLOSED)
    assert RoundHistory.objects.get(round=closing).note == "clock"


def test_cancel_only_from_draft_or_announced():
    round_, _offers = _open_round()
    hr = make_hr_specialist(round_.entity)
    with pytest.raises(WorkflowError):
        services.take_step(round_id=round_.pk, name="cancel", actor=hr, role=Role.HR)
    draft = RoundFactory()
    services.take_step(round_id=draft.pk, name="cancel", actor=hr)
    draft.refresh_from_db()
    assert draft.status == RoundStatus.CANCELLED

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from employment_records.models import ActionType, PositionStatus, QualificationLevel
from employment_records.tests.factories import (
    ActionFactory,
    EmployeeFactory,
    EntityFactory,
    JobClassFactory,
    PositionFactory,
)
from promotions.models import OfferedPosition, Round, RoundStatus

REFERENCE = dt.date(2026, 11, 1)


class RoundFactory(DjangoModelFactory):
    class Meta:
        model = Round

    entity = factory.SubFactory(EntityFactory)
    title_ar = "ترقيات المرتبة التاسعة"
    title_en = "Promotions to rank 9"
    target_rank = 9
    reference_date = REFERENCE
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=6))
    status = RoundStatus.DRAFT


def vacant_position(entity, *, rank=9, minimum=QualificationLevel.BACHELOR):
    return PositionFactory(
        entity=entity,
        job_class=JobClassFactory(rank=rank, min_qualification=minimum),
        status=PositionStatus.VACANT,
    )


def offer(round_, n=1, **kwargs) -> list[OfferedPosition]:
    return [
        OfferedPosition.objects.create(
            round=round_, position=vacant_position(round_.entity, **kwargs)
        )
        for _ in range(n)
    ]


def candidate(entity, *, score="90.00", rating="excellent", since=dt.date(2020, 1, 1), **kwargs):
    """An employee of rank 8 who meets every rule of a rank-9 round at REFERENCE."""
    from employment_records.models import PerformanceEvaluation, Qualification

    employee = EmployeeFactory(entity=entity, rank=8, rank_since=since, **kwargs)
    ActionFactory(
        employee=employee,
        action_type=ActionType.PROMOTION,
        decision_date=since - dt.timedelta(days=10),
        effective_date=since,
        to_rank=8,
    )
    PerformanceEvaluation.objects.create(
        employee=employee, year=1447, score=Decimal(score), rating=rating
    )
    Qualification.objects.create(
        employee=employee,
        level=QualificationLevel.BACHELOR,
        major="Management",
        institution="King Saud University",
        graduation_date=dt.date(2008, 6, 1),
    )
    return employee


def reviewed_round(capture_on_commit, *, users=False, n_candidates=3, n_positions=2):
    """A round whose candidates (scores 95, 90, 85, ...) all prefer the same positions, closed,
    scored and reviewed by one specialist; returns (round, offers, people, a second specialist
    who may publish). The best `n_positions` are promoted."""
    import uuid

    from accounts.tests.factories import UserFactory, make_hr_specialist
    from promotions import services

    round_ = RoundFactory(status=RoundStatus.OPEN)
    offers = offer(round_, n_positions)
    people = []
    for i in range(n_candidates):
        extra = {}
        if users:
            user = UserFactory()
            extra = {"user": user, "national_id": user.username}
        people.append(candidate(round_.entity, score=f"{95 - 5 * i}.00", **extra))
    for person in people:
        services.save_preferences(
            employee=person,
            round_id=round_.pk,
            offered_ids=[o.pk for o in offers],
            token=uuid.uuid4(),
        )
    maker = make_hr_specialist(round_.entity)
    services.take_step(round_id=round_.pk, name="close", actor=maker)
    with capture_on_commit(execute=True):
        services.start_scoring(round_id=round_.pk, actor=maker)
    services.take_step(round_id=round_.pk, name="review", actor=maker)
    return Round.objects.get(pk=round_.pk), offers, people, make_hr_specialist(round_.entity)

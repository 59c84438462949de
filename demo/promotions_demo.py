"""Promotion rounds for the demo (called by seed_demo, only on a database without any round in
the first entity, so a second run changes nothing).

- A published earlier round (rank 8 -> 9) with results: persona 1012345672 competed and lost
  the position they wanted to a colleague with a higher score, so the result page has
  something to show and an objection something to object to.
- An open round (rank 8 -> 9) that persona 1012345672 is eligible for, with several vacant
  rank-9 positions offered.
- Colleagues of rank 8 who each fail one rule (service ended, non-Saudi, too little time in
  rank, an unsatisfactory evaluation, a qualification below the classes' minimum).
- The earlier round's winners hold rank 9: publication wrote their promotion decisions into
  their records (dated the day the seed ran, the newest entry of each record).
- A second HR specialist of the first entity, who approves publications (maker-checker).

Everything goes through the promotions services, as HR would do it in the console.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import HRProfile, ServiceGrant, User
from core.hr_admin import HR_GROUP
from demo import demo_data
from employment_records.models import (
    ActionType,
    Employee,
    EmployeeStatus,
    EmploymentAction,
    JobClass,
    OrganisationalUnit,
    PerformanceEvaluation,
    Position,
    PositionStatus,
    Qualification,
    QualificationLevel,
    Rating,
    VolunteeringEntry,
)
from promotions import services
from promotions.models import Round

SECOND_HR_ID = "1078901236"
UNDERQUALIFIED_ID = "1089012346"  # a rank-8 colleague with a diploma only
OPEN_TITLE = (
    "ترقيات المرتبة التاسعة — الدورة الثانية 1448",
    "Promotions to rank 9 — second round 1448",
)
PAST_TITLE = ("ترقيات المرتبة التاسعة — 1447", "Promotions to rank 9 — 1447")


def _positions(entity, count: int, prefix: str) -> list[Position]:
    """Vacant rank-9 positions of the entity, created with their own numbers when missing."""
    job_class = (
        JobClass.objects.filter(rank=9, min_qualification=QualificationLevel.BACHELOR)
        .order_by("code")
        .first()
    )
    if job_class is None:
        job_class = JobClass.objects.create(
            code="PRM-09",
            title_ar="أخصائي أول موارد بشرية",
            title_en="Senior human resources specialist",
            rank=9,
            min_qualification=QualificationLevel.BACHELOR,
        )
    units = list(OrganisationalUnit.objects.filter(entity=entity).order_by("code"))
    positions = []
    for index in range(count):
        position, _created = Position.objects.get_or_create(
            entity=entity,
            number=f"{prefix}{index + 1:03d}",
            defaults={
                "unit": units[index % len(units)],
                "job_class": job_class,
                "rank": 9,
                "status": PositionStatus.VACANT,
            },
        )
        positions.append(position)
    return positions


def _second_specialist(entity) -> User:
    employee = Employee.objects.filter(national_id=SECOND_HR_ID).first()
    if employee is None:
        job_class, _created = JobClass.objects.get_or_create(
            code="PRM-10",
            defaults={
                "title_ar": "رئيس قسم الموارد البشرية",
                "title_en": "Head of human resources section",
                "rank": 10,
                "min_qualification": QualificationLevel.BACHELOR,
            },
        )
        unit = OrganisationalUnit.objects.filter(entity=entity).order_by("code").first()
        position = Position.objects.create(
            entity=entity,
            number="HR-10-001",
            unit=unit,
            job_class=job_class,
            rank=10,
            status=PositionStatus.OCCUPIED,
        )
        employee = Employee.objects.create(
            national_id=SECOND_HR_ID,
            first_name_ar="ريم",
            father_name_ar="خالد",
            grandfather_name_ar="عبدالرحمن",
            family_name_ar="الشهري",
            first_name_en="Reem",
            father_name_en="Khalid",
            grandfather_name_en="Abdulrahman",
            family_name_en="Al-Shehri",
            gender="f",
            date_of_birth=dt.date(1987, 4, 12),
            entity=entity,
            unit=unit,
            position=position,
            rank=10,
            step=4,
            rank_since=dt.date(2020, 2, 1),
            hire_date=dt.date(2011, 9, 4),
            registry_mobile="+966500000007",
            national_id_expiry=dt.date(2031, 3, 1),
        )
        _decision(
            employee,
            ActionType.APPOINTMENT,
            "1432/ت/0417",
            employee.hire_date,
            to_rank=8,
            to_step=1,
        )
        _decision(
            employee,
            ActionType.PROMOTION,
            "1441/ر/0233",
            employee.rank_since,
            to_rank=10,
            to_step=4,
        )
    user = User.objects.filter(username=SECOND_HR_ID).first()
    if user is None:
        user = User(
            username=SECOND_HR_ID,
            is_staff=True,
            mobile="+966500000007",
            email="reem.shehri@" + entity.code.lower() + ".example",
            first_name="ريم",
            last_name="الشهري",
        )
        user.set_password(demo_data.PASSWORD)
        user.save()
    if employee.user_id != user.pk:
        employee.user = user
        employee.save(update_fields=["user"])
    user.groups.add(Group.objects.get(name=HR_GROUP))
    HRProfile.objects.get_or_create(user=user, defaults={"entity": entity})
    return user


def _decision(employee, kind, number, start, end=None, **extra):
    return EmploymentAction.objects.create(
        employee=employee,
        action_type=kind,
        decision_number=number,
        decision_date=start - dt.timedelta(days=3),
        effective_date=start,
        end_date=end,
        **extra,
    )


def _colleagues(entity) -> list[Employee]:
    """Saudi rank-8 colleagues in service with a bachelor's degree or more (those with less
    already fail the qualification rule by themselves)."""
    return list(
        Employee.objects.filter(
            entity=entity,
            rank=8,
            status=EmployeeStatus.ACTIVE,
            nationality="SA",
            qualifications__level__in=(
                QualificationLevel.BACHELOR,
                QualificationLevel.MASTER,
                QualificationLevel.DOCTORATE,
            ),
        )
        .exclude(national_id__in=(*demo_data.PERSONA_IDS, SECOND_HR_ID))
        .distinct()
        .order_by("national_id")
    )


def _failing_colleagues(colleagues, today) -> None:
    """Rank-8 colleagues of the first entity, each failing one rule of the open round (the
    qualification, nationality and time-in-rank rules already have colleagues who fail them)."""
    if len(colleagues) < 2:
        return
    unsatisfactory, suspended = colleagues[:2]
    # The last evaluation is unsatisfactory.
    year = PerformanceEvaluation.objects.filter(employee=unsatisfactory).order_by("-year").first()
    if year is not None:
        year.rating, year.score = Rating.UNSATISFACTORY, Decimal("48.00")
        year.save(update_fields=["rating", "score"])
    # A long suspension that ended in a penalty: it does not count toward time in rank.
    since = suspended.rank_since or today - dt.timedelta(days=5 * 365)
    _decision(
        suspended,
        ActionType.SUSPENSION,
        "1446/كف/0091",
        since + dt.timedelta(days=200),
        since + dt.timedelta(days=200 + 700),
        ended_in_penalty=True,
    )


def _underqualified_colleague(entity, today) -> Employee:
    """A rank-8 colleague who meets every rule but the qualification: a diploma, below the
    bachelor's degree the offered classes ask for (no demo employee of rank 8 holds less)."""
    unit = OrganisationalUnit.objects.filter(entity=entity).order_by("code").first()
    job_class = JobClass.objects.filter(rank=8).order_by("code").first()
    position = Position.objects.create(
        entity=entity,
        number="P8-47-001",
        unit=unit,
        job_class=job_class,
        rank=8,
        status=PositionStatus.OCCUPIED,
    )
    employee = Employee.objects.create(
        national_id=UNDERQUALIFIED_ID,
        first_name_ar="سلمان",
        father_name_ar="فهد",
        grandfather_name_ar="ناصر",
        family_name_ar="العتيبي",
        first_name_en="Salman",
        father_name_en="Fahd",
        grandfather_name_en="Nasser",
        family_name_en="Al-Otaibi",
        gender="m",
        date_of_birth=dt.date(1984, 9, 9),
        entity=entity,
        unit=unit,
        position=position,
        rank=8,
        step=6,
        rank_since=today - dt.timedelta(days=6 * 365),
        hire_date=dt.date(2009, 10, 4),
        national_id_expiry=dt.date(2032, 1, 1),
    )
    _decision(
        employee, ActionType.APPOINTMENT, "1430/ت/0912", employee.hire_date, to_rank=6, to_step=1
    )
    _decision(
        employee,
        ActionType.PROMOTION,
        "1441/ر/0561",
        employee.rank_since,
        from_rank=6,
        to_rank=8,
        to_step=6,
        to_position=position,
    )
    for year in demo_data.EVALUATION_YEARS:
        PerformanceEvaluation.objects.create(
            employee=employee, year=year, score=Decimal("91.00"), rating=Rating.EXCELLENT
        )
    Qualification.objects.create(
        employee=employee,
        level=QualificationLevel.DIPLOMA,
        major="إدارة مكتبية",
        institution="الكلية التقنية بالرياض",
        graduation_date=dt.date(2007, 6, 1),
    )
    return employee


def _volunteer(person, end: dt.date, hours: int) -> None:
    VolunteeringEntry.objects.create(
        employee=person,
        organisation="جمعية البر الخيرية",
        description="تنظيم حملات توعوية",
        start_date=end - dt.timedelta(days=100),
        end_date=end,
        hours=hours,
        certificate_number="V-" + person.national_id[-4:],
    )


def _run_round(
    *, entity, title, positions, target_reference, maker, checker, preferences, publish, awards=()
):
    """A round from draft to open (and, for the earlier one, through to publication)."""
    now = timezone.now()
    round_ = Round.objects.create(
        entity=entity,
        title_ar=title[0],
        title_en=title[1],
        target_rank=9,
        reference_date=target_reference,
        opens_at=now - dt.timedelta(days=2),
        closes_at=now + dt.timedelta(days=5),
        weight_performance=40,
        weight_training=15,
        weight_education=10,
        weight_seniority=15,
        weight_volunteering=10,
        weight_other=10,
        created_by=maker,
    )
    services.offer_positions(round_=round_, positions=positions, actor=maker)
    services.take_step(round_id=round_.pk, name="announce", actor=maker)
    services.take_step(round_id=round_.pk, name="open", actor=maker)
    for employee, wanted in preferences:
        services.save_preferences(
            employee=employee,
            round_id=round_.pk,
            offered_ids=[round_.offered.get(position=p).pk for p in wanted],
            token=uuid.uuid4(),
        )
    for employee in awards:
        services.set_other_points(
            round_=round_,
            employee=employee,
            points=80,
            reason="جائزة التميز الحكومي",
            actor=maker,
        )
    if publish:
        services.take_step(round_id=round_.pk, name="close", actor=maker)
        Round.objects.filter(pk=round_.pk).update(scoring_started_at=now)
        services.run_scoring(round_id=round_.pk)
        services.take_step(round_id=round_.pk, name="review", actor=maker)
        services.take_step(round_id=round_.pk, name="publish", actor=checker)
    return round_


def seed_promotions(*, today: dt.date | None = None) -> int:
    """Create the demo rounds; returns how many rounds were created (0 when they exist)."""
    entity_code = demo_data.FIRST_ENTITY
    if Round.objects.filter(entity__code=entity_code).exists():
        return 0
    today = today or timezone.localdate()
    persona = Employee.objects.select_related("entity").get(national_id=demo_data.EMPLOYEE_ID)
    entity = persona.entity
    maker = User.objects.get(username=demo_data.HR_ID)
    checker = _second_specialist(entity)
    ServiceGrant.objects.get_or_create(
        employee=checker.employee, service="promotions", entity=entity
    )

    colleagues = _colleagues(entity)
    # The earlier, published round: two positions; a colleague with a higher score (more
    # volunteering) takes the one the persona put first.
    past_positions = _positions(entity, 2, "P9-47-")
    past_reference = today - dt.timedelta(days=400)
    probe = Round(entity=entity, target_rank=9, reference_date=past_reference, min_years_in_rank=4)
    rivals = []
    for colleague in colleagues[2:]:
        results, _facts = services.evaluate_person(
            round_=probe, employee=colleague, minimum=QualificationLevel.BACHELOR
        )
        if all(r.passed for r in results):
            rivals.append(colleague)
        if len(rivals) == 2:
            break
    for rival in rivals:
        _volunteer(rival, past_reference - dt.timedelta(days=30), 120)
        PerformanceEvaluation.objects.filter(employee=rival).update(
            score=Decimal("98.50"), rating=Rating.EXCELLENT
        )
    eligible = [(persona, past_positions[:1])] + [(r, past_positions) for r in rivals]
    past = _run_round(
        entity=entity,
        title=PAST_TITLE,
        positions=past_positions,
        target_reference=past_reference,
        maker=maker,
        checker=checker,
        preferences=eligible,
        publish=True,
        awards=rivals,
    )
    # Move the earlier round to its real dates (the steps above ran a moment ago).
    shift = timezone.now() - timezone.make_aware(
        dt.datetime.combine(past_reference + dt.timedelta(days=30), dt.time(9))
    )
    published_at = timezone.now() - shift + dt.timedelta(days=14)
    Round.objects.filter(pk=past.pk).update(
        opens_at=past.opens_at - shift,
        closes_at=past.opens_at - shift + dt.timedelta(days=7),
        published_at=published_at,
    )
    # Publication wrote the winners' promotion decisions into their records: those entries keep
    # the day they were written (the seed's day), the newest of each winner's record, so rank,
    # step and position stay those of the last decision.
    # The round's history keeps the times its steps were really taken (it is append-only).

    _failing_colleagues(colleagues, today)
    _underqualified_colleague(entity, today)
    for person in colleagues[4:7]:
        _volunteer(person, today - dt.timedelta(days=60), 40)
    current = _run_round(
        entity=entity,
        title=OPEN_TITLE,
        positions=_positions(entity, 5, "P9-48-"),
        target_reference=today,
        maker=maker,
        checker=checker,
        preferences=[],
        publish=False,
    )
    services.check_readiness(round_=current)
    return 2

"""seed_demo (personas, sizes, idempotence), seed_scale and the pure generators behind them."""

import datetime as dt
import random
import re
from io import StringIO

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import RequestFactory

from accounts.models import HRProfile, ServiceGrant, User
from core.catalogue import Condition, ServiceCode, decide_all
from core.dates import hijri_year
from core.hr_admin import HR_GROUP, MINISTRY_GROUP, hr_site, ministry_permissions
from core.validators import validate_national_id, validate_saudi_mobile
from demo import demo_data
from demo.job_audit_demo import JOB_AUDIT_DEMO_IDS
from employment_records.models import (
    ActionType,
    CorrectionRequest,
    Employee,
    EmploymentAction,
    GovernmentEntity,
    JobClass,
    OrganisationalUnit,
    PerformanceEvaluation,
    Position,
    PositionStatus,
    Qualification,
    SalaryScale,
    ScholarshipDecision,
    TrainingDecision,
)

COUNTED = (
    GovernmentEntity,
    OrganisationalUnit,
    JobClass,
    SalaryScale,
    Position,
    Employee,
    EmploymentAction,
    PerformanceEvaluation,
    Qualification,
    TrainingDecision,
    ScholarshipDecision,
    ServiceGrant,
    User,
    HRProfile,
)


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed_demo() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def persona(national_id: str) -> Employee:
    return Employee.objects.select_related("entity", "user").get(national_id=national_id)


def granted(employee: Employee) -> set[str]:
    return set(
        ServiceGrant.objects.active()
        .filter(employee=employee, entity=employee.entity)
        .values_list("service", flat=True)
    )


def admitted(site, user) -> bool:
    """Whether the site admits the persona once signed in strongly (the role check alone)."""
    request = RequestFactory().get("/")
    request.user = user
    request.session = {"auth_method": "nafath", "strong_sign_in_user": str(user.pk)}
    return site.has_permission(request)


@pytest.mark.django_db
def test_seed_demo_creates_the_six_personas():
    seed_demo()
    first = GovernmentEntity.objects.get(code=demo_data.FIRST_ENTITY)
    everything = set(ServiceCode.values)
    births = {
        "1012345672": dt.date(1990, 3, 15),
        "1023456781": dt.date(1992, 7, 1),
        "2100000005": dt.date(1988, 11, 20),
        "1034567899": dt.date(1985, 1, 10),
        "1045678909": dt.date(1980, 5, 5),
        "1056789017": dt.date(1962, 2, 2),
    }
    for national_id, born in births.items():
        employee = persona(national_id)
        assert employee.date_of_birth == born
        assert employee.entity == first
        assert granted(employee) == everything, national_id
        assert employee.family_name_ar and employee.family_name_en
        # Registration codes go to the registry's mobile; every demo ID is valid.
        validate_saudi_mobile(employee.registry_mobile)
        assert employee.national_id_expiry > demo_data.REFERENCE_DATE
        if employee.user is not None:
            assert employee.user.username == national_id
            assert employee.user.check_password(demo_data.PASSWORD)
            validate_saudi_mobile(employee.user.mobile)
            assert "@" in employee.user.email

    employee = persona(demo_data.EMPLOYEE_ID)
    assert (employee.nationality, employee.status, employee.rank) == ("SA", "active", 8)
    years_in_rank = (demo_data.REFERENCE_DATE - employee.rank_since).days / 365.25
    assert 4.5 < years_in_rank < 5.5
    promotion = employee.actions.get(action_type=ActionType.PROMOTION, to_rank=8)
    assert promotion.effective_date == employee.rank_since
    assert 13 <= employee.actions.count() <= 20
    assert employee.user.mobile == "+966500000001"
    assert not employee.user.is_staff
    assert all(
        decision.allowed or decision.failed is Condition.NAFATH
        for decision in decide_all(employee.user)
    )

    no_account = persona(demo_data.NO_ACCOUNT_ID)
    assert no_account.user is None and no_account.is_saudi and no_account.in_service
    assert not User.objects.filter(username=demo_data.NO_ACCOUNT_ID).exists()

    resident = persona(demo_data.RESIDENT_ID)
    assert resident.nationality != "SA" and resident.in_service and resident.user is not None
    # My employment data names no nationality; the other five do (promotions with its own reason).
    assert {d.failed for d in decide_all(resident.user)} == {
        None,
        Condition.SAUDI,
        Condition.SAUDI_CIVIL_SERVICE,
    }

    hr = persona(demo_data.HR_ID).user
    assert hr.is_staff and not hr.is_superuser
    assert list(hr.groups.values_list("name", flat=True)) == [HR_GROUP]
    assert (hr.hr_profile.entity, hr.hr_profile.is_lead) == (first, True)
    assert admitted(hr_site, hr) and not admitted(admin.site, hr)

    ministry = User.objects.get(username=demo_data.MINISTRY_ID)
    assert ministry.is_staff and not ministry.is_superuser
    assert list(ministry.groups.values_list("name", flat=True)) == [MINISTRY_GROUP]
    assert not HRProfile.objects.filter(user=ministry).exists()
    group_permissions = set(ministry.groups.get().permissions.all())
    assert set(ministry_permissions()) <= group_permissions
    assert admitted(admin.site, ministry) and not admitted(hr_site, ministry)

    retired = persona(demo_data.RETIRED_ID)
    assert (retired.status, retired.end_reason) == ("ended", "retirement")
    assert retired.end_date.year == 2024 and retired.user is not None
    assert retired.actions.filter(
        action_type=ActionType.RETIREMENT, effective_date=retired.end_date
    ).exists()


@pytest.mark.django_db
def test_seed_demo_data_is_complete_and_consistent():
    seed_demo()
    assert Employee.objects.count() >= 120
    assert 190 <= Position.objects.count() <= 230
    assert set(Position.objects.values_list("status", flat=True)) == set(PositionStatus.values)
    assert GovernmentEntity.objects.count() == 3
    assert OrganisationalUnit.objects.count() >= 15
    assert set(JobClass.objects.values_list("rank", flat=True)) == set(range(1, 16))
    assert SalaryScale.objects.count() == 225
    for rank in range(1, 16):
        amounts = list(
            SalaryScale.objects.filter(rank=rank).order_by("step").values_list("amount", flat=True)
        )
        assert amounts == sorted(amounts) and len(set(amounts)) == 15
    for national_id in Employee.objects.values_list("national_id", flat=True):
        validate_national_id(national_id)
    for mobile in User.objects.values_list("mobile", flat=True):
        validate_saudi_mobile(mobile)
    employees = list(Employee.objects.select_related("position"))
    assert {e.gender for e in employees} == {"m", "f"}
    assert sum(e.nationality != "SA" for e in employees) >= 5
    for employee in employees:
        if employee.national_id.startswith(JOB_AUDIT_DEMO_IDS):
            continue  # the job-data audit's deliberate inconsistencies (demo.job_audit_demo)
        # rank and step are those of the last action that set them
        last = (
            employee.actions.filter(to_rank__isnull=False)
            .exclude(action_type=ActionType.PROBATION_CONFIRMATION)
            .order_by("-effective_date", "-id")
            .first()
        )
        assert (last.to_rank, last.to_step) == (employee.rank, employee.step)
        assert employee.position.rank == employee.rank
        assert (employee.position.status == PositionStatus.OCCUPIED) == employee.in_service
    assert PerformanceEvaluation.objects.filter(year__in=demo_data.EVALUATION_YEARS).exists()
    assert TrainingDecision.objects.exists() and ScholarshipDecision.objects.exists()
    assert EmploymentAction.objects.filter(action_type=ActionType.DISCIPLINARY_PENALTY).exists()


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing():
    first_output = seed_demo()
    before = counts()
    password = User.objects.get(username=demo_data.EMPLOYEE_ID).password
    output = seed_demo()
    assert counts() == before
    assert User.objects.get(username=demo_data.EMPLOYEE_ID).password == password
    assert re.search(r"\b0 rows created", output)
    assert not re.search(r"\b0 rows created", first_output)


@pytest.mark.django_db
def test_seed_scale_adds_employees_with_histories():
    out = StringIO()
    call_command("seed_scale", employees=200, batch=80, stdout=out)
    assert "200/200 employees" in out.getvalue()
    scale = Employee.objects.filter(national_id__regex=r"^[12]9")
    assert scale.count() == 200
    assert EmploymentAction.objects.filter(employee__in=scale).count() >= 200 * 6
    assert PerformanceEvaluation.objects.filter(employee__in=scale).exists()
    for employee in scale.select_related("position"):
        validate_national_id(employee.national_id)
        assert employee.position.rank == employee.rank

    call_command("seed_scale", employees=50, entity="MOH", stdout=StringIO())
    assert scale.count() == 250
    assert scale.filter(entity__code="MOH").count() >= 50


def test_demo_plan_is_deterministic_and_valid():
    one, two = demo_data.build_demo(), demo_data.build_demo()
    assert [e.person for e in one.employees] == [e.person for e in two.employees]
    assert [
        (a.decision_number, a.effective_date) for e in one.employees for a in e.career.actions
    ] == [(a.decision_number, a.effective_date) for e in two.employees for a in e.career.actions]
    ids = [e.person.national_id for e in one.employees]
    assert len(set(ids)) == len(ids) == demo_data.EMPLOYEE_COUNT
    for employee in one.employees:
        numbers = [a.decision_number for a in employee.career.actions]
        assert len(set(numbers)) == len(numbers)
        assert employee.person.date_of_birth < employee.career.hire_date


def test_national_ids_and_hijri_years():
    rng = random.Random(1)
    taken: set[str] = set()
    for _ in range(200):
        validate_national_id(demo_data.random_national_id(rng, "1", taken))
    assert len(taken) == 200
    for counter in (0, 1, 123_456, demo_data.SCALE_ID_MAX):
        validate_national_id(demo_data.scale_national_id(counter))
        validate_national_id(demo_data.scale_national_id(counter, resident=True))
    with pytest.raises(ValueError):
        demo_data.scale_national_id(demo_data.SCALE_ID_MAX + 1)
    day = dt.date(1985, 1, 1)
    while day < dt.date(2030, 1, 1):
        assert demo_data.hijri_year_of(day) == hijri_year(day)
        day += dt.timedelta(days=5)


@pytest.mark.django_db
def test_seed_demo_leaves_work_in_the_hr_personas_console(client):
    from accounts.tests.factories import sign_in_verified
    from grievances.models import Grievance, Status

    seed_demo()
    first = GovernmentEntity.objects.get(code=demo_data.FIRST_ENTITY)
    grievances = Grievance.objects.filter(entity=first)
    assert sorted(grievances.values_list("status", flat=True)) == sorted(
        [Status.SUBMITTED, Status.MORE_INFO_REQUESTED]
    )
    assert grievances.get(status=Status.MORE_INFO_REQUESTED).assigned_to.username == (
        demo_data.HR_ID
    )
    correction = CorrectionRequest.objects.get(employee__entity=first)
    assert correction.employee.national_id not in demo_data.PERSONA_IDS
    # The HR persona sees them in the console.
    sign_in_verified(client, User.objects.get(username=demo_data.HR_ID))
    queue = client.get("/hr/grievances/grievance/")
    assert queue.context["cl"].result_count == 2
    seed_demo()  # and a second run adds none
    assert Grievance.objects.count() == 2 and CorrectionRequest.objects.count() == 1


@pytest.mark.django_db
def test_seed_demo_leaves_bayan_work_and_the_retirees_acknowledged_statement(client):
    from accounts.tests.factories import sign_in_verified
    from bayan.models import Statement, Status

    seed_demo()
    retired = persona(demo_data.RETIRED_ID)
    mine = Statement.objects.get(employee=retired)
    assert mine.status == Status.ACKNOWLEDGED and mine.pension_reference
    assert mine.document.status == "ready"
    first = GovernmentEntity.objects.get(code=demo_data.FIRST_ENTITY)
    statuses = set(Statement.objects.filter(entity=first).values_list("status", flat=True))
    assert statuses == {Status.ACKNOWLEDGED, Status.SUBMITTED, Status.REJECTED}
    # The HR persona's work list has one to prepare; she may approve the waiting one.
    sign_in_verified(client, User.objects.get(username=demo_data.HR_ID))
    page = client.get("/hr/bayan/statement/")
    assert [item.statement for item in page.context["items"]].count(None) >= 1
    waiting = Statement.objects.get(entity=first, status=Status.SUBMITTED)
    assert client.post(f"/hr/bayan/statement/{waiting.pk}/step/approve/").status_code == 302
    # The retiree sees the acknowledged statement and can download it.
    client.force_login(retired.user)
    assert client.get(f"/bayan/{mine.pk}/pdf/").status_code == 200
    seed_demo()  # and a second run adds none
    assert Statement.objects.count() == 3


@pytest.mark.django_db
def test_seed_demo_leaves_a_finding_of_every_type_and_variables_in_every_state():
    from job_audit.findings import FindingType
    from job_audit.models import AuditRun, Finding, RequestStatus, VariableRequest

    call_command("seed_demo", stdout=StringIO())
    entity = GovernmentEntity.objects.get(code=demo_data.FIRST_ENTITY)
    run = AuditRun.objects.get(entity=entity)
    assert run.status == "done"
    assert set(FindingType.values) <= set(
        Finding.objects.filter(entity=entity).values_list("type", flat=True)
    )
    assert {"open", "justified", "resolved"} <= set(
        Finding.objects.filter(entity=entity).values_list("state", flat=True)
    )
    assert set(
        VariableRequest.objects.filter(entity=entity).values_list("status", flat=True)
    ) == set(RequestStatus.values)
    assert Position.objects.get(entity=entity, number="JA0100").status == "vacant"
    # A second run adds nothing.
    call_command("seed_demo", stdout=StringIO())
    assert AuditRun.objects.filter(entity=entity).count() == 1
    assert VariableRequest.objects.filter(entity=entity).count() == 6


@pytest.mark.django_db
def test_seed_demo_gives_the_first_persona_a_cv_in_both_languages():
    from cv.models import LanguageSkill, Skill, Summary

    seed_demo()
    employee = persona(demo_data.CV_PERSONA_ID)
    for model in (Summary, Skill, LanguageSkill):
        assert set(model.objects.filter(employee=employee).values_list("language", flat=True)) == {
            "ar",
            "en",
        }
    before = Skill.objects.count()
    assert "CV entries: 0 created" in seed_demo()
    assert Skill.objects.count() == before

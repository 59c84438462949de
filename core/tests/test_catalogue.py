"""The access policy: each condition refuses on its own and names itself."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone, translation

from accounts.tests.factories import UserFactory, grant_all
from core.catalogue import Condition, ServiceCode, decide, decide_all, group_refusals
from employment_records.tests.factories import EntityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def nafath_user(employee_user):
    employee_user.nafath_verified_at = timezone.now()
    employee_user.save()
    return employee_user


def test_everything_open_for_a_saudi_employee_verified_by_nafath(nafath_user):
    assert all(decision.allowed for decision in decide_all(nafath_user))


def test_anonymous_visitors_are_asked_to_sign_in():
    assert decide(AnonymousUser(), ServiceCode.CV).failed is Condition.SIGNED_IN


def test_an_account_without_an_employee_record_is_refused():
    assert decide(UserFactory(), ServiceCode.CV).failed is Condition.EMPLOYEE


def test_nationality_applies_where_the_seed_states_it(nafath_user):
    nafath_user.employee.nationality = "EG"
    nafath_user.employee.save()
    failed = {decision.service.code: decision.failed for decision in decide_all(nafath_user)}
    assert failed == {
        ServiceCode.PROMOTIONS: Condition.SAUDI_CIVIL_SERVICE,
        ServiceCode.EMPLOYMENT_DATA: None,  # "for civil employees and HR specialists"
        ServiceCode.GRIEVANCES: Condition.SAUDI,
        ServiceCode.BAYAN: Condition.SAUDI,
        ServiceCode.JOB_AUDIT: Condition.SAUDI,
        ServiceCode.CV: Condition.SAUDI,
    }
    cv = decide(nafath_user, ServiceCode.CV)
    promotions = decide(nafath_user, ServiceCode.PROMOTIONS)
    with translation.override("en"):
        assert "Saudi nationality" in cv.reason
        assert "contracts" in promotions.reason  # says why, not only that
    with translation.override("ar"):
        assert "السعودية" in str(cv.reason)
        assert "عقود" in str(promotions.reason)


def test_refusals_that_share_a_reason_are_grouped(nafath_user):
    nafath_user.employee.nationality = "EG"
    nafath_user.employee.save()
    groups = group_refusals(decide_all(nafath_user))
    assert [(group.failed, len(group.services)) for group in groups] == [
        (Condition.SAUDI_CIVIL_SERVICE, 1),
        (Condition.SAUDI, 4),
    ]
    # A reason said of four services speaks of them in the plural.
    with translation.override("en"):
        assert str(groups[1].reason).startswith("These services are")
        assert str(groups[0].reason).startswith("Promotion rounds")


def test_ended_service_closes_only_services_for_employees_in_service(nafath_user):
    employee = nafath_user.employee
    employee.status, employee.end_date, employee.end_reason = (
        "ended",
        dt.date(2024, 6, 30),
        "retirement",
    )
    employee.save()
    failed = {d.service.code: d.failed for d in decide_all(nafath_user)}
    assert failed[ServiceCode.PROMOTIONS] is Condition.IN_SERVICE
    assert failed[ServiceCode.JOB_AUDIT] is Condition.IN_SERVICE
    assert failed[ServiceCode.BAYAN] is None
    assert failed[ServiceCode.EMPLOYMENT_DATA] is None


def test_a_missing_grant_closes_that_service_only(nafath_user):
    nafath_user.employee.service_grants.filter(service=ServiceCode.CV).delete()
    failed = {d.service.code: d.failed for d in decide_all(nafath_user)}
    assert failed.pop(ServiceCode.CV) is Condition.GRANT
    assert set(failed.values()) == {None}


@pytest.mark.parametrize(
    "change",
    [
        {"revoked_at": timezone.now()},
        {"valid_from": timezone.localdate() + dt.timedelta(days=1)},
        {"valid_from": dt.date(2020, 1, 1), "valid_until": dt.date(2020, 12, 31)},
    ],
    ids=["revoked", "not-yet-valid", "expired"],
)
def test_inactive_grants_do_not_count(nafath_user, change):
    nafath_user.employee.service_grants.filter(service=ServiceCode.CV).update(**change)
    assert decide(nafath_user, ServiceCode.CV).failed is Condition.GRANT


def test_a_grant_of_another_entity_does_not_count(nafath_user):
    employee = nafath_user.employee
    employee.service_grants.all().delete()
    employee.service_grants.create(service=ServiceCode.CV, entity=EntityFactory())
    assert decide(nafath_user, ServiceCode.CV).failed is Condition.GRANT


def test_grievances_wait_for_a_nafath_verified_identity(employee_user):
    decision = decide(employee_user, ServiceCode.GRIEVANCES)
    assert decision.failed is Condition.NAFATH
    assert decide(employee_user, ServiceCode.CV).allowed


def test_conditions_are_checked_in_order(employee_user):
    employee_user.employee.nationality = "EG"
    employee_user.employee.save()
    employee_user.employee.service_grants.all().delete()
    # Both nationality and grant fail: the first in order is named.
    assert decide(employee_user, ServiceCode.GRIEVANCES).failed is Condition.SAUDI


def test_grant_all_helper_covers_every_service(employee):
    grant_all(employee)
    assert employee.service_grants.count() == len(ServiceCode.values)

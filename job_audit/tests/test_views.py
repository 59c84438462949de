"""The employee-facing page /job-audit/: the entity's summary for those the policy lets in."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory, grant_all, sign_in_verified
from employment_records.tests.factories import EmployeeFactory
from job_audit import services

from .factories import clean_inventory, qualify, specialist

pytestmark = pytest.mark.django_db


def test_a_specialist_sees_the_entitys_summary_in_constant_queries(
    client, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    entity, _unit, _cls, employees = clean_inventory(occupied=10)
    for employee in employees[:3]:
        employee.rank = 9
        employee.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.start_audit_run(entity_id=entity.pk)
    user = specialist(entity)
    services.create_request(entity_id=entity.pk, title="Draft", actor=user)
    other, _u, _c, (theirs, *_r) = clean_inventory()
    theirs.rank = 2
    theirs.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.start_audit_run(entity_id=other.pk)
    sign_in_verified(client, user)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("job_audit:index"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    summary = response.context["summary"]
    assert dict((kind, n) for kind, _label, n in summary["findings"])["rank_mismatch"] == 3
    assert summary["findings_total"] == 3
    states = {state: n for state, _label, n in summary["states"]}
    assert states == {"open": 3, "resolved": 0, "justified": 0}
    assert dict((s, n) for s, _label, n in summary["requests"])["draft"] == 1
    page = response.content.decode()
    assert reverse("hr:job_audit_inventoryposition_changelist") in page


def test_someone_without_the_grant_is_refused_with_the_reason(client):
    user = UserFactory(with_employee=True)
    grant_all(user.employee, services=["cv"])
    client.force_login(user)
    response = client.get(reverse("job_audit:index"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "You do not have a permission for this service" in response.content.decode()


def test_the_dashboard_card_is_available(client, employee_user):
    client.force_login(employee_user)
    page = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("job_audit:index") in page


def test_an_employee_who_is_not_a_specialist_sees_the_figures_without_console_links(client):
    entity, _unit, _cls, employees = clean_inventory(occupied=3)
    employees[0].rank = 9
    employees[0].save()
    services.start_audit_run(entity_id=entity.pk)
    user = UserFactory()
    qualify(EmployeeFactory(national_id=user.username, user=user, entity=entity))
    grant_all(user.employee)
    sign_in_verified(client, user)
    response = client.get(reverse("job_audit:index"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["console"] == {}
    page = response.content.decode()
    assert "/hr/" not in page
    assert "Your entity's HR specialists audit the inventory" in page

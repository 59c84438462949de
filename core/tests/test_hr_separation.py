"""Separation of duties in the HR console: a specialist's own employee record, its actions and
their own service grants are read-only to them; they cannot grant or record anything about
themselves, whatever they type into a raw-ID field."""

import pytest
from django.urls import reverse

from accounts.models import ServiceGrant
from accounts.tests.factories import make_hr_specialist, sign_in_verified
from employment_records.tests.factories import ActionFactory, EmployeeFactory, EntityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entity():
    return EntityFactory()


@pytest.fixture
def specialist(client, entity):
    user = make_hr_specialist(entity)
    EmployeeFactory(entity=entity, user=user, rank=9)
    sign_in_verified(client, user)
    client.cookies["django_language"] = "en"
    return user


def change_data(client, url, **changes):
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"actions-TOTAL_FORMS": 0, "actions-INITIAL_FORMS": 0, **changes})
    return {key: str(value) for key, value in data.items()}


def test_their_own_record_is_read_only(client, specialist):
    own = specialist.employee
    url = reverse("hr:employment_records_employee_change", args=[own.pk])
    page = client.get(url)
    assert page.status_code == 200  # they may read it...
    assert 'name="rank"' not in page.content.decode()  # ...with nothing to edit
    data = {"rank": "15", "step": "1", "actions-TOTAL_FORMS": "0", "actions-INITIAL_FORMS": "0"}
    assert client.post(url, data).status_code == 403
    own.refresh_from_db()
    assert own.rank == 9


def test_a_colleagues_record_stays_editable(client, specialist, entity):
    colleague = EmployeeFactory(entity=entity)
    url = reverse("hr:employment_records_employee_change", args=[colleague.pk])
    assert 'name="rank"' in client.get(url).content.decode()


def test_their_own_actions_and_grants_are_read_only(client, specialist, entity):
    action = ActionFactory(employee=specialist.employee)
    grant = ServiceGrant.objects.create(employee=specialist.employee, service="cv", entity=entity)
    for name, obj in [
        ("employment_records_employmentaction", action),
        ("accounts_servicegrant", grant),
    ]:
        url = reverse(f"hr:{name}_change", args=[obj.pk])
        assert client.get(url).status_code == 200
        assert client.post(url, {"employee": specialist.employee.pk}).status_code == 403


def test_they_cannot_grant_a_service_to_themselves(client, specialist, entity):
    colleague = EmployeeFactory(entity=entity)
    url = reverse("hr:accounts_servicegrant_add")
    data = {"service": "cv", "valid_from": "2026-01-01"}
    refused = client.post(url, {**data, "employee": specialist.employee.pk})
    assert refused.status_code == 200  # the form again, with the reason
    assert not ServiceGrant.objects.filter(employee=specialist.employee).exists()
    assert client.post(url, {**data, "employee": colleague.pk}).status_code == 302
    assert ServiceGrant.objects.filter(employee=colleague, granted_by=specialist).exists()


def test_the_choice_of_employees_leaves_themselves_out(rf, specialist, entity):
    from core.hr_admin import hr_site
    from employment_records.models import Employee

    colleague = EmployeeFactory(entity=entity)
    request = rf.get("/")
    request.user = specialist
    model_admin = hr_site._registry[ServiceGrant]
    field = ServiceGrant._meta.get_field("employee")
    choices = model_admin.formfield_for_foreignkey(field, request).queryset
    assert colleague in choices and specialist.employee not in choices
    assert set(choices) <= set(Employee.objects.filter(entity=entity))

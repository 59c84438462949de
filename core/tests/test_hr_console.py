"""HR specialists see and change only their own entity's rows; ministry staff see all."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.tests.factories import UserFactory, make_hr_specialist, sign_in_verified
from core.hr_admin import MINISTRY_GROUP, ministry_permissions
from employment_records.models import Employee
from employment_records.tests.factories import EmployeeFactory, EntityFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_entities():
    entity_a, entity_b = EntityFactory(), EntityFactory()
    ours = EmployeeFactory.create_batch(3, entity=entity_a)
    theirs = EmployeeFactory.create_batch(2, entity=entity_b)
    return entity_a, entity_b, ours, theirs


@pytest.fixture
def specialist_a(client, two_entities):
    user = make_hr_specialist(two_entities[0])
    sign_in_verified(client, user)
    return user


def test_specialist_lists_only_their_entity(client, specialist_a, two_entities):
    _, _, ours, theirs = two_entities
    response = client.get(reverse("hr:employment_records_employee_changelist"))
    assert response.status_code == 200
    listed = set(response.context["cl"].result_list.values_list("pk", flat=True))
    assert listed == {employee.pk for employee in ours}
    assert theirs[0].national_id not in response.content.decode()


def test_specialist_cannot_open_another_entitys_employee(client, specialist_a, two_entities):
    theirs = two_entities[3][0]
    url = reverse("hr:employment_records_employee_change", args=[theirs.pk])
    response = client.get(url)
    assert response.status_code == 302  # the admin's "does not exist" answer
    assert theirs.national_id not in client.get(response["Location"]).content.decode()


def test_specialist_cannot_change_another_entitys_employee(client, specialist_a, two_entities):
    theirs = two_entities[3][0]
    url = reverse("hr:employment_records_employee_change", args=[theirs.pk])
    client.post(url, {"rank": 15, "first_name_ar": "مغير"})
    theirs.refresh_from_db()
    assert theirs.rank != 15 and theirs.first_name_ar != "مغير"


def test_specialist_can_change_their_own_employee(client, specialist_a, two_entities):
    ours = two_entities[2][0]
    url = reverse("hr:employment_records_employee_change", args=[ours.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"step": 5, "actions-TOTAL_FORMS": 0, "actions-INITIAL_FORMS": 0})
    data["date_of_birth"], data["hire_date"] = str(ours.date_of_birth), str(ours.hire_date)
    data["rank_since"] = str(ours.rank_since)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    ours.refresh_from_db()
    assert ours.step == 5


def test_choices_offer_only_the_entitys_units(client, specialist_a, two_entities):
    entity_a, entity_b, ours, _ = two_entities
    foreign_unit = UnitFactory(entity=entity_b)
    url = reverse("hr:employment_records_employee_change", args=[ours[0].pk])
    unit_choices = client.get(url).context["adminform"].form.fields["unit"].queryset
    assert foreign_unit not in unit_choices
    assert set(unit_choices.values_list("entity", flat=True)) == {entity_a.pk}


def test_an_employee_without_hr_profile_cannot_enter_the_console(client, employee_user):
    employee_user.is_staff = True
    employee_user.save()
    sign_in_verified(client, employee_user)
    response = client.get(reverse("hr:index"))
    assert response.status_code == 302
    assert reverse("hr:login") in response["Location"]


def test_hr_specialists_are_kept_out_of_the_ministry_admin(client, specialist_a):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302


def test_ministry_staff_see_every_entity(client, two_entities):
    group = Group.objects.get_or_create(name=MINISTRY_GROUP)[0]
    group.permissions.set(ministry_permissions())
    staff = UserFactory(is_staff=True)
    staff.groups.add(group)
    sign_in_verified(client, staff)
    response = client.get(reverse("admin:employment_records_employee_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == Employee.objects.count() == 5


def test_audit_log_is_read_only_in_both_consoles(client, specialist_a):
    response = client.get(reverse("hr:core_auditevent_add"))
    assert response.status_code == 403


def test_console_changes_are_audited_with_old_and_new_values(client, specialist_a, two_entities):
    from core.models import AuditEvent

    test_specialist_can_change_their_own_employee(client, specialist_a, two_entities)
    event = AuditEvent.objects.get(action="hr.employee.change")
    assert event.actor == specialist_a
    assert event.entity_id == two_entities[0].pk
    assert event.changes["step"] == {"old": 3, "new": 5}


def test_both_consoles_load_the_projects_admin_styles(client, specialist_a):
    # Reference numbers stay on one line in the lists (static/css/admin.css).
    page = client.get(reverse("hr:employment_records_employee_changelist")).content.decode()
    assert '<link rel="stylesheet" href="/static/css/admin.css">' in page


def test_moving_an_employee_keeps_both_positions_status_true(client, specialist_a, two_entities):
    from employment_records.models import PositionStatus
    from employment_records.tests.factories import PositionFactory

    ours = two_entities[2][0]
    old_position = ours.position
    new_position = PositionFactory(
        entity=ours.entity, unit__entity=ours.entity, status=PositionStatus.VACANT
    )
    url = reverse("hr:employment_records_employee_change", args=[ours.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"position": new_position.pk, "actions-TOTAL_FORMS": 0, "actions-INITIAL_FORMS": 0})
    data["date_of_birth"], data["hire_date"] = str(ours.date_of_birth), str(ours.hire_date)
    data["rank_since"] = str(ours.rank_since)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    old_position.refresh_from_db()
    new_position.refresh_from_db()
    assert (old_position.status, new_position.status) == (
        PositionStatus.VACANT,
        PositionStatus.OCCUPIED,
    )


def test_a_held_position_cannot_be_marked_vacant(client, specialist_a, two_entities):
    ours = two_entities[2][0]
    url = reverse("hr:employment_records_position_change", args=[ours.position.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data["status"] = "vacant"
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "An employee in service holds this position" in response.content.decode()
    ours.position.refresh_from_db()
    assert ours.position.status == "occupied"

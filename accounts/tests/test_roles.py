"""Ministry roles (help desk, auditors, administrators) are groups with their own permissions;
nobody raises their own privileges; a role change needs a second administrator, audited."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts import roles
from accounts.models import HRProfile, RoleChangeRequest
from accounts.tests.factories import UserFactory, sign_in_verified
from core.hr_admin import (
    MINISTRY_ADMINISTRATORS,
    MINISTRY_AUDITORS,
    MINISTRY_GROUP,
    MINISTRY_HELP_DESK,
    ministry_permissions,
    sync_role_groups,
)
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


def staff_in(group_name, **kwargs):
    sync_role_groups()
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def administrator(client):
    user = staff_in(MINISTRY_ADMINISTRATORS)
    sign_in_verified(client, user)
    client.cookies["django_language"] = "en"
    return user


def test_each_role_holds_the_permissions_it_needs():
    sync_role_groups()
    help_desk = staff_in(MINISTRY_HELP_DESK)
    auditor = staff_in(MINISTRY_AUDITORS)
    administrator = staff_in(MINISTRY_ADMINISTRATORS)
    assert help_desk.has_perm("accounts.change_signinguard")
    assert help_desk.has_perm("accounts.view_user") and not help_desk.has_perm(
        "accounts.change_user"
    )
    assert not help_desk.has_perm("accounts.add_rolechangerequest")
    assert auditor.has_perm("core.view_auditevent") and auditor.has_perm("accounts.view_user")
    # Beyond viewing, auditors hold only the audit work services register for them: deciding
    # the entities' job variables requests.
    assert auditor.has_perm("job_audit.change_variablerequest")
    assert [
        f"{p.content_type.app_label}.{p.codename}"
        for p in ministry_permissions().exclude(codename__startswith="view_")
        if auditor.has_perm(f"{p.content_type.app_label}.{p.codename}")
    ] == ["job_audit.change_variablerequest"]
    assert administrator.has_perm("accounts.add_rolechangerequest")
    assert administrator.has_perm("accounts.change_rolechangerequest")


@pytest.mark.parametrize("group", [MINISTRY_ADMINISTRATORS, MINISTRY_GROUP])
def test_nobody_makes_themselves_superuser_in_the_account_form(client, group):
    sync_role_groups()
    Group.objects.get(name=MINISTRY_GROUP).permissions.set(ministry_permissions())
    me = staff_in(group)
    sign_in_verified(client, me)
    url = reverse("admin:accounts_user_change", args=[me.pk])
    page = client.get(url).content.decode()
    assert 'name="is_superuser"' not in page and 'name="groups"' not in page
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    administrators = Group.objects.get(name=MINISTRY_ADMINISTRATORS)
    client.post(url, {**data, "is_superuser": "on", "groups": [administrators.pk]})
    me.refresh_from_db()
    assert not me.is_superuser
    assert set(me.groups.values_list("name", flat=True)) == {group}


def test_roles_and_their_permissions_cannot_be_edited_in_the_console(client, administrator):
    group = Group.objects.get(name=MINISTRY_HELP_DESK)
    url = reverse("admin:auth_group_change", args=[group.pk])
    assert client.get(url).status_code == 200  # readable
    before = set(group.permissions.all())
    everything = [p.pk for p in ministry_permissions()]
    assert client.post(url, {"name": group.name, "permissions": everything}).status_code == 403
    assert set(group.permissions.all()) == before
    assert client.get(reverse("admin:auth_group_add")).status_code == 403


def test_a_role_change_needs_a_second_administrator(client, administrator):
    colleague = staff_in(MINISTRY_HELP_DESK)
    auditors = Group.objects.get(name=MINISTRY_AUDITORS)
    response = client.post(
        reverse("admin:accounts_rolechangerequest_add"),
        {
            "user": colleague.pk,
            "is_staff": "on",
            "groups": [auditors.pk],
            "reason": "moves to the audit team",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    change = RoleChangeRequest.objects.get()
    assert change.requested_by == administrator and change.status == "pending"
    colleague.refresh_from_db()
    assert list(colleague.groups.values_list("name", flat=True)) == [MINISTRY_HELP_DESK]

    changelist = reverse("admin:accounts_rolechangerequest_changelist")
    refused = client.post(
        changelist, {"action": "approve", "_selected_action": [change.pk]}, follow=True
    )
    assert "approved by a second administrator" in refused.content.decode()
    change.refresh_from_db()
    assert change.status == "pending"
    with pytest.raises(PermissionDenied):  # nor the person concerned
        roles.approve_role_change(change=change, approver=colleague)

    second = staff_in(MINISTRY_ADMINISTRATORS)
    client.force_login(second)
    sign_in_verified(client, second)
    done = client.post(
        changelist, {"action": "approve", "_selected_action": [change.pk]}, follow=True
    )
    assert "Role changes applied: 1." in done.content.decode()
    colleague.refresh_from_db()
    assert list(colleague.groups.values_list("name", flat=True)) == [MINISTRY_AUDITORS]
    change.refresh_from_db()
    assert (change.status, change.decided_by) == ("approved", second)
    asked = AuditEvent.objects.get(action="accounts.role_change_requested")
    applied = AuditEvent.objects.get(action="accounts.role_change_approved")
    assert asked.actor == administrator and applied.actor == second
    assert applied.changes["old"]["groups"] == [MINISTRY_HELP_DESK]
    assert applied.changes["new"]["groups"] == [MINISTRY_AUDITORS]
    with pytest.raises(ValidationError):  # decided once
        roles.reject_role_change(change=change, approver=second)


def test_nobody_asks_for_their_own_role_change(client, administrator):
    response = client.post(
        reverse("admin:accounts_rolechangerequest_add"),
        {"user": administrator.pk, "is_superuser": "on", "reason": "please"},
    )
    assert response.status_code == 200
    assert "Nobody changes their own roles" in response.content.decode()
    assert not RoleChangeRequest.objects.exists()
    with pytest.raises(ValidationError):
        roles.request_role_change(
            user=administrator, is_staff=True, is_superuser=True, groups=[], reason="x",
            requested_by=administrator,
        )  # fmt: skip


def test_nobody_gives_themselves_an_hr_profile(client, administrator):
    from employment_records.tests.factories import EntityFactory

    response = client.post(
        reverse("admin:accounts_hrprofile_add"),
        {"user": administrator.pk, "entity": EntityFactory().pk},
    )
    assert response.status_code == 200
    assert "Nobody changes their own roles" in response.content.decode()
    assert not HRProfile.objects.filter(user=administrator).exists()


@pytest.mark.parametrize(
    ("group", "url", "status"),
    [
        (MINISTRY_HELP_DESK, "admin:accounts_signinguard_changelist", 200),
        (MINISTRY_HELP_DESK, "admin:accounts_rolechangerequest_add", 403),
        (MINISTRY_AUDITORS, "admin:core_auditevent_changelist", 200),
        (MINISTRY_AUDITORS, "admin:accounts_user_add", 403),
        (MINISTRY_AUDITORS, "admin:accounts_rolechangerequest_add", 403),
    ],
)
def test_each_role_reaches_what_it_needs_only(client, group, url, status):
    sign_in_verified(client, staff_in(group))
    assert client.get(reverse(url)).status_code == status

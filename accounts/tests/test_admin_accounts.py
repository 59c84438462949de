"""Accounts in the ministry admin: audited changes (never a password), and the help desk's
unlock of a locked sign-in."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from accounts.models import SignInGuard, User
from accounts.services import check_not_locked
from accounts.tests.factories import UserFactory, sign_in_verified
from core.hr_admin import MINISTRY_GROUP, ministry_permissions
from core.models import AuditEvent

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "help desk phrase 2026"


@pytest.fixture
def ministry(client):
    group = Group.objects.get_or_create(name=MINISTRY_GROUP)[0]
    group.permissions.set(ministry_permissions())
    staff = UserFactory(is_staff=True)
    staff.groups.add(group)
    sign_in_verified(client, staff)
    client.cookies["django_language"] = "en"
    return staff


def test_unlock_lifts_the_lock_keeps_the_history_and_is_audited(client, ministry, rf):
    person = UserFactory()
    locked = SignInGuard.objects.create(
        national_id=person.username,
        address="127.0.0.1",
        lockouts=2,
        locked_until=timezone.now() + dt.timedelta(minutes=30),
    )
    free = SignInGuard.objects.create(national_id="1012345672")
    changelist = reverse("admin:accounts_signinguard_changelist")
    listed = client.get(changelist, {"locked": "yes"})
    assert list(listed.context["cl"].result_list) == [locked]

    response = client.post(
        changelist,
        {"action": "unlock", "_selected_action": [locked.pk, free.pk]},
        follow=True,
    )
    assert "1 sign-in unlocked." in response.content.decode()
    locked.refresh_from_db()
    assert locked.locked_until is None and locked.lockouts == 2  # a repeat still locks longer
    check_not_locked(national_id=person.username, request=rf.get("/"))  # raises no more
    event = AuditEvent.objects.get(action="accounts.unlocked")
    assert event.actor == ministry and event.subject_id == str(person.pk)
    assert event.changes == {"national_id": f"••••••{person.username[-4:]}"}


def test_sign_in_guards_cannot_be_added_or_deleted(client, ministry):
    guard = SignInGuard.objects.create(national_id="1012345672")
    assert client.get(reverse("admin:accounts_signinguard_add")).status_code == 403
    delete = reverse("admin:accounts_signinguard_delete", args=[guard.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert SignInGuard.objects.filter(pk=guard.pk).exists()


def test_account_changes_are_audited_and_passwords_never_written(client, ministry):
    add = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "1023456781",
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert add.status_code == 302, add.context["adminform"].form.errors
    created = User.objects.get(username="1023456781")
    event = AuditEvent.objects.get(action="admin.user.add")
    assert NEW_PASSWORD not in str(event.changes)
    assert event.changes["password1"] == {"changed": True}

    change = reverse("admin:accounts_user_change", args=[created.pk])
    form = client.get(change).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        username=created.username,
        first_name="Renamed",
        is_staff="on",  # roles change only through a role change request (accounts.roles)
        groups=[],
        last_login_0="",
        last_login_1="",
    )
    data["date_joined_0"], data["date_joined_1"] = "2026-01-01", "10:00:00"
    data.pop("password", None)
    response = client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(action="admin.user.change")
    assert event.changes["first_name"] == {"old": "", "new": "Renamed"}
    assert "is_staff" not in event.changes
    created.refresh_from_db()
    assert not created.is_staff


def test_setting_someones_password_in_the_admin_is_audited_without_the_password(client, ministry):
    person = UserFactory()
    url = reverse("admin:auth_user_password_change", args=[person.pk])
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action="admin.user.password_set")
    assert event.actor == ministry and event.subject_id == str(person.pk)
    assert NEW_PASSWORD not in str(event.changes)


def test_the_admin_greets_staff_by_their_first_name_in_the_page_s_language(client, ministry):
    from employment_records.tests.factories import EmployeeFactory

    EmployeeFactory(user=ministry, first_name_ar="سارة", first_name_en="Sarah")
    ministry.first_name = "سارة"  # as registration copies it
    ministry.save()
    english = client.get(reverse("admin:index")).content.decode()
    assert "<strong>Sarah</strong>" in english and "<strong>سارة</strong>" not in english
    client.cookies["django_language"] = "ar"
    arabic = client.get(reverse("admin:index")).content.decode()
    assert "<strong>سارة</strong>" in arabic and "Sarah" not in arabic

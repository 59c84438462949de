"""/admin/ and /hr/ need a verified second factor or a Nafath sign-in, of the person signed in.

Issue 14, item 1: a person signed in with an SMS code opened /hr/, got Django's own sign-in
form, typed a staff member's ID and password and was in as that staff member with no code.
The consoles now have no sign-in form at all, and the second-factor flag belongs to one user.
"""

import pytest
from django.contrib.auth import SESSION_KEY, login
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.models import SmsDevice
from accounts.tests.conftest import last_code
from accounts.tests.factories import (
    PASSWORD,
    UserFactory,
    make_hr_specialist,
    sign_in_verified,
    sign_in_with_nafath,
)
from core.hr_admin import (
    STRONG_SIGN_IN_USER_KEY,
    has_strong_sign_in,
    mark_strong_sign_in,
)
from employment_records.tests.factories import EntityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def specialist(db):
    return make_hr_specialist(EntityFactory())


def test_password_only_session_is_sent_to_the_portal_sign_in(client, superuser):
    client.force_login(superuser)  # a session without the second factor
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/?next=/admin/"


def test_the_admin_login_form_is_replaced_by_the_portal(client):
    response = client.get(reverse("admin:login") + "?next=/admin/auth/")
    assert response["Location"] == "/accounts/login/?next=/admin/auth/"
    response = client.get(reverse("hr:login"))
    assert response["Location"] == "/accounts/login/?next=/hr/"


def test_otp_verified_superuser_enters_the_admin(client, superuser):
    sign_in_verified(client, superuser)
    assert client.get("/admin/").status_code == 200
    # Already in: the console's login address leads to its index, not to a form.
    assert client.get(reverse("admin:login"))["Location"] == "/admin/"


def test_nafath_session_enters_the_hr_console(client, specialist):
    client.force_login(specialist)
    assert client.get("/hr/").status_code == 302
    session = client.session
    session["auth_method"] = "nafath"  # a flag that names no user vouches for no one
    session.save()
    assert client.get("/hr/").status_code == 302
    sign_in_with_nafath(client, specialist)
    assert client.get("/hr/").status_code == 200


def test_otp_verified_specialist_enters_the_hr_console(client, specialist):
    sign_in_verified(client, specialist)
    assert client.get("/hr/").status_code == 200


def test_verified_specialist_is_kept_out_of_the_ministry_admin_without_a_form(client, specialist):
    sign_in_verified(client, specialist)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    refused = client.get(response["Location"])
    assert refused.status_code == 403
    assert 'name="password"' not in refused.content.decode()


def test_staff_signing_in_with_password_and_code_reach_the_admin(web, outbox):
    staff = UserFactory(is_staff=True, is_superuser=True)
    response = web.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/?next=/admin/"
    web.post(
        "/accounts/login/", {"national_id": staff.username, "password": PASSWORD, "next": "/admin/"}
    )
    response = web.post("/accounts/login/code/", {"code": last_code(outbox)})
    assert response["Location"] == "/admin/"
    assert web.get("/admin/").status_code == 200


# --- Every starting state, both consoles ------------------------------------------------------


def _sign_in_with_sms(web, outbox, user):
    web.post("/accounts/login/", {"national_id": user.username, "password": PASSWORD})
    web.post("/accounts/login/code/", {"code": last_code(outbox, user.mobile)})
    assert web.session[SESSION_KEY] == str(user.pk)


def _anonymous(web, outbox, other):
    pass


def _sms_as_another_person(web, outbox, other):
    _sign_in_with_sms(web, outbox, other)


def _nafath_as_another_person(web, outbox, other):
    sign_in_with_nafath(web._client, other)


def _password_without_the_code(web, outbox, other):
    web.post("/accounts/login/", {"national_id": other.username, "password": PASSWORD})
    assert SESSION_KEY not in web.session  # waiting for the code


STARTING_STATES = {
    "anonymous": _anonymous,
    "sms_as_another_person": _sms_as_another_person,
    "nafath_as_another_person": _nafath_as_another_person,
    "password_without_the_code": _password_without_the_code,
}


@pytest.fixture(params=["hr", "admin"])
def console(request, db):
    """(prefix, the staff member whose console it is)."""
    if request.param == "hr":
        return "/hr/", make_hr_specialist(EntityFactory())
    return "/admin/", UserFactory(is_staff=True, is_superuser=True)


@pytest.mark.parametrize("state", list(STARTING_STATES))
def test_the_consoles_cannot_be_entered_without_the_second_factor(web, outbox, console, state):
    prefix, staff = console
    other = UserFactory(with_employee=True)  # an ordinary employee: no console of their own
    STARTING_STATES[state](web, outbox, other)
    signed_in_before = web.session.get(SESSION_KEY)
    sent_before = len(outbox)

    # Opening the console never shows a sign-in form: the portal's sign-in, or a refusal.
    response = web.get(prefix, follow=True)
    final_url = response.redirect_chain[-1][0] if response.redirect_chain else prefix
    page = response.content.decode()
    if state in ("sms_as_another_person", "nafath_as_another_person"):
        assert response.status_code == 403, final_url
        assert 'name="password"' not in page
    else:
        assert final_url == f"/accounts/login/?next={prefix}"
        assert 'action="/accounts/login/"' in page

    # Django's admin login form, posted with the staff member's ID and password, signs no one
    # in (it does not exist any more) and sends no code.
    response = web.post(
        f"{prefix}login/?next={prefix}",
        {"username": staff.username, "password": PASSWORD, "next": prefix},
    )
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/login/")
    assert web.session.get(SESSION_KEY) == signed_in_before
    assert len(outbox) == sent_before
    assert web.get(prefix).status_code == 302  # still outside
    # And the account pages that change the mobile or the password stay closed to the staff
    # member's identity: nobody is signed in as them.
    assert web.session.get(SESSION_KEY) != str(staff.pk)


def test_the_console_opens_only_after_the_staff_members_own_code(web, outbox, console):
    prefix, staff = console
    other = UserFactory(with_employee=True)
    _sign_in_with_sms(web, outbox, other)
    web.post("/accounts/logout/")
    # Through the portal's sign-in, as the staff member: password, then *their* code.
    web.post(
        "/accounts/login/", {"national_id": staff.username, "password": PASSWORD, "next": prefix}
    )
    assert web.get(prefix).status_code == 302  # the password alone opens nothing
    response = web.post("/accounts/login/code/", {"code": last_code(outbox, staff.mobile)})
    assert response["Location"] == prefix
    assert web.get(prefix).status_code == 200


# --- The session flag belongs to one user ----------------------------------------------------


def _request_with_session(rf, user=None):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/")
    request.session = SessionStore()
    request.user = user or AnonymousUser()
    return request


def test_a_change_of_user_clears_the_second_factor(rf):
    first, second = UserFactory(), UserFactory()
    device = SmsDevice.objects.create(user=first, name="mobile")
    request = _request_with_session(rf)
    login(request, first, backend="accounts.backends.CachedModelBackend")
    request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    mark_strong_sign_in(request, method="nafath")
    assert request.session[STRONG_SIGN_IN_USER_KEY] == str(first.pk)

    # An anonymous session carrying a stale flag (the flag survives logout-free paths): the
    # next login() of anyone else drops it, whatever door they came through.
    request.session.pop(SESSION_KEY)
    login(request, second, backend="accounts.backends.CachedModelBackend")
    for key in ("auth_method", STRONG_SIGN_IN_USER_KEY, DEVICE_ID_SESSION_KEY):
        assert key not in request.session
    assert not has_strong_sign_in(request)


def test_a_flag_of_another_user_is_ignored(rf):
    first, second = UserFactory(), UserFactory()
    request = _request_with_session(rf, second)
    request.session["auth_method"] = "nafath"
    request.session[STRONG_SIGN_IN_USER_KEY] = str(first.pk)
    assert not has_strong_sign_in(request)
    request.session[STRONG_SIGN_IN_USER_KEY] = str(second.pk)
    assert has_strong_sign_in(request)


def test_password_otp_needs_django_otp_to_report_this_users_device(rf):
    """django-otp's is_verified() is True only for a confirmed device of request.user
    (OTPMiddleware drops a device of anyone else); `password_otp` without it is not strong."""
    user = UserFactory()
    request = _request_with_session(rf, user)
    request.session["auth_method"] = "password_otp"
    request.session[STRONG_SIGN_IN_USER_KEY] = str(user.pk)
    user.is_verified = lambda: False
    assert not has_strong_sign_in(request)
    user.is_verified = lambda: True
    assert has_strong_sign_in(request)


def test_the_same_person_signing_in_again_keeps_the_flag(rf):
    user = UserFactory()
    request = _request_with_session(rf)
    login(request, user, backend="accounts.backends.CachedModelBackend")
    mark_strong_sign_in(request, method="nafath")
    login(request, user, backend="accounts.backends.CachedModelBackend")
    assert request.session[STRONG_SIGN_IN_USER_KEY] == str(user.pk)

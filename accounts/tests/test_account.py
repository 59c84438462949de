"""The person's own account page and password change (signed in)."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

from accounts.models import SignInGuard
from accounts.services import LOCK_AFTER_FAILURES
from accounts.tests.factories import PASSWORD, UserFactory, make_hr_specialist, sign_in_verified
from core.dates import to_hijri
from core.models import AuditEvent
from employment_records.tests.factories import EmployeeFactory

from .conftest import last_code

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another calm morning 77"


@pytest.fixture
def person(db):
    return UserFactory(with_employee=True, mobile="+966551234534", preferred_language="en")


@pytest.fixture
def signed_in(web, person, outbox):
    web.post("/accounts/login/", {"national_id": person.username, "password": PASSWORD})
    web.post("/accounts/login/code/", {"code": last_code(outbox)})
    assert web.session[SESSION_KEY] == str(person.pk)
    web.cookies["django_language"] = "en"
    return web


def change(web, current=PASSWORD, new=NEW_PASSWORD, again=None):
    return web.post(
        "/accounts/password/",
        {"current_password": current, "password1": new, "password2": again or new},
    )


def test_account_page_shows_masked_data_and_the_ways_to_change_them(
    signed_in, person, django_assert_max_num_queries
):
    person.nafath_verified_at = timezone.now()
    person.save()
    with django_assert_max_num_queries(5):  # session, user, OTP device, unread count, session save
        page = signed_in.get("/accounts/").content.decode()
    assert "••••••" in page and person.username[-4:] in page and person.username not in page
    assert "+966 5• ••• ••34" in page and person.mobile not in page
    assert 'href="/accounts/password/"' in page and 'href="/accounts/mobile/"' in page
    today = timezone.localdate()
    assert "Last Nafath sign-in" in page
    assert str(to_hijri(today).year) in page and str(today.year) in page  # both calendars


def test_password_change_end_to_end(signed_in, person, outbox):
    old_session = signed_in.session.session_key
    response = change(signed_in)
    assert response["Location"] == "/accounts/"
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD) and not person.check_password(PASSWORD)
    # Still signed in, on a new session key; told by SMS; audited without the password.
    assert signed_in.session[SESSION_KEY] == str(person.pk)
    assert signed_in.session.session_key != old_session
    follow = signed_in.get("/accounts/")
    assert follow.status_code == 200 and "Your password has been changed." in follow.text
    assert outbox[-1].to == person.mobile and "password" in outbox[-1].body.lower()
    event = AuditEvent.objects.get(action="accounts.password_changed")
    assert event.changes == {"via": "signed_in"}
    assert NEW_PASSWORD not in str(event.changes) and PASSWORD not in str(event.changes)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"current": "not my password 1"}, "The current password is not correct."),
        ({"again": "something else entirely 9"}, "The two passwords do not match."),
        ({"new": "short"}, "at least 12 characters"),
        ({"new": PASSWORD}, "The new password must differ from the current one."),
    ],
)
def test_bad_password_change_is_refused_and_keeps_the_old_password(
    signed_in, person, data, message
):
    response = change(signed_in, **data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and "error-summary" in page
    person.refresh_from_db()
    assert person.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="accounts.password_changed").exists()


def test_wrong_current_passwords_count_towards_the_lockout(signed_in, person):
    for _attempt in range(LOCK_AFTER_FAILURES):
        change(signed_in, current="not my password 1")
    assert SignInGuard.objects.get(national_id=person.username).is_locked()
    response = change(signed_in)  # even the right password now waits for the lock to end
    assert response.status_code == 400 and "locked" in response.content.decode()
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


def test_account_pages_require_sign_in(web):
    for url in ("/accounts/", "/accounts/password/"):
        assert web.get(url)["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("site", ["hr", "admin"])
def test_admin_password_change_goes_to_the_portal_page(client, site):
    if site == "hr":
        user = make_hr_specialist(EmployeeFactory().entity)
    else:
        user = UserFactory(is_staff=True, is_superuser=True)
    sign_in_verified(client, user)
    response = client.get(f"/{site}/password_change/")
    assert response.status_code == 302 and response["Location"] == "/accounts/password/"

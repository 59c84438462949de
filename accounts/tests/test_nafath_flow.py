"""Sign-in with Nafath end to end over real HTTP: portal -> simulator -> number matching in the
app -> callback (token, JWKS and userinfo fetched over HTTP) -> dashboard."""

import pytest

from accounts.models import NafathIdentity, User
from accounts.tests.factories import UserFactory, grant_all
from core.catalogue import decide
from core.models import AuditEvent
from employment_records.tests.factories import EmployeeFactory
from nafath_sim import testing
from nafath_sim.testing import (
    Browser,
    answer_on_phone,
    start_nafath_sign_in,
    wrong_choice,
)

pytestmark = pytest.mark.django_db(transaction=True)
nafath = testing.nafath  # the provider fixture, shared with nafath_sim's tests
nafath_key_file = testing.nafath_key_file


def test_first_nafath_sign_in_creates_the_linked_account_and_opens_grievances(nafath):
    employee = EmployeeFactory()
    grant_all(employee)
    browser = Browser.at(nafath.url)

    _waiting, number = start_nafath_sign_in(browser, employee.national_id)
    approved = answer_on_phone(nafath.url, employee.national_id, number=number)
    assert "You picked the right number" in approved.text
    dashboard = browser.get(f"/nafath/requests/{_reference(_waiting)}/")

    assert dashboard.url == f"{nafath.url}/", dashboard.text[:500]
    assert employee.first_name_en in dashboard.text or employee.first_name_ar in dashboard.text
    user = User.objects.get(username=employee.national_id)
    employee.refresh_from_db()
    assert employee.user == user
    assert user.nafath_verified_at is not None
    assert not user.has_usable_password()
    identity = NafathIdentity.objects.get(user=user)
    assert identity.issuer == f"{nafath.url}/nafath"
    assert identity.last_acr.endswith("number-matching") and "mca" in identity.last_amr
    assert AuditEvent.objects.filter(action="accounts.nafath_sign_in", actor=user).exists()
    # The access policy's Nafath condition: grievances open for this person now.
    assert decide(user, "grievances").allowed
    session = _session_of(browser)
    assert session["auth_method"] == "nafath"


def test_existing_account_is_matched_by_national_id_not_by_email(nafath):
    user = UserFactory(with_employee=True, email="shared@example.sa")
    UserFactory(with_employee=True, email="shared@example.sa")  # same e-mail, other person
    browser = Browser.at(nafath.url)

    waiting, number = start_nafath_sign_in(browser, user.username)
    answer_on_phone(nafath.url, user.username, number=number)
    browser.get(f"/nafath/requests/{_reference(waiting)}/")

    assert _session_of(browser)["_auth_user_id"] == str(user.pk)
    assert User.objects.count() == 2
    user.refresh_from_db()
    assert user.nafath_verified_at is not None


def test_a_rejected_request_signs_nobody_in_and_creates_nothing(nafath):
    employee = EmployeeFactory()
    browser = Browser.at(nafath.url)

    waiting, _number = start_nafath_sign_in(browser, employee.national_id)
    answered = answer_on_phone(nafath.url, employee.national_id, number=None)
    assert "Rejected" in answered.text
    page = browser.get(f"/nafath/requests/{_reference(waiting)}/")
    assert "The request was rejected" in page.text
    back = browser.post(f"/nafath/requests/{_reference(waiting)}/cancel/", {})

    assert back.status_code == 403
    assert "was not completed" in back.text
    assert not User.objects.exists()
    assert AuditEvent.objects.filter(action="accounts.nafath_sign_in_refused").count() == 1


def test_picking_a_wrong_number_rejects_the_request(nafath):
    employee = EmployeeFactory()
    browser = Browser.at(nafath.url)

    waiting, number = start_nafath_sign_in(browser, employee.national_id)
    answered = answer_on_phone(
        nafath.url,
        employee.national_id,
        number=wrong_choice(nafath.url, employee.national_id, number),
    )

    assert "Rejected" in answered.text
    assert (
        "The request was rejected" in browser.get(f"/nafath/requests/{_reference(waiting)}/").text
    )
    assert not User.objects.exists()


def test_an_expired_request_cannot_be_approved_and_creates_nothing(nafath, settings):
    from datetime import timedelta

    from nafath_sim.models import SignInRequest

    employee = EmployeeFactory()
    browser = Browser.at(nafath.url)
    waiting, _number = start_nafath_sign_in(browser, employee.national_id)
    request = SignInRequest.objects.get()
    SignInRequest.objects.filter(pk=request.pk).update(
        created_at=request.created_at - timedelta(seconds=120),
        expires_at=request.expires_at - timedelta(seconds=120),
    )

    page = browser.get(f"/nafath/requests/{_reference(waiting)}/")
    assert "The request has expired" in page.text
    phone = Browser.at(nafath.url)
    phone.get("/nafath/app/")
    assert (
        "No requests are waiting for you"
        in phone.post("/nafath/app/", {"national_id": employee.national_id}).text
    )
    back = browser.post(f"/nafath/requests/{_reference(waiting)}/cancel/", {})
    assert back.status_code == 403 and "was not completed" in back.text
    assert not User.objects.exists()


def test_an_unknown_national_id_cannot_start_at_the_simulator(nafath):
    browser = Browser.at(nafath.url)
    to_provider = browser.get("/oidc/start/", allow_redirects=False)
    browser.get(to_provider.headers["Location"])
    answer = browser.post(to_provider.headers["Location"], {"national_id": "1000000008"})

    assert answer.status_code == 400
    assert "not registered with Nafath" in answer.text
    assert not User.objects.exists()


def test_signing_out_ends_the_session_here_and_at_the_provider(nafath):
    employee = EmployeeFactory()
    browser = Browser.at(nafath.url)
    waiting, number = start_nafath_sign_in(browser, employee.national_id)
    answer_on_phone(nafath.url, employee.national_id, number=number)
    browser.get(f"/nafath/requests/{_reference(waiting)}/")

    to_provider = browser.post("/oidc/logout/", {}, allow_redirects=False)

    assert to_provider.status_code == 302
    assert to_provider.headers["Location"].startswith(f"{nafath.url}/nafath/logout/?")
    assert "id_token_hint=" in to_provider.headers["Location"]
    home = browser.get(to_provider.headers["Location"])
    assert home.url == f"{nafath.url}/"
    assert _session_of(browser) is None


def _reference(waiting_page) -> str:
    return waiting_page.url.rstrip("/").rsplit("/", 1)[-1]


def _session_of(browser):
    from django.contrib.sessions.backends.db import SessionStore

    key = browser.session.cookies.get("sessionid")
    store = SessionStore(session_key=key)
    return dict(store.load()) if key and store.exists(key) else None


def test_basic_client_authentication_and_deactivation_end_the_session(nafath, settings):
    settings.NAFATH_OIDC_TOKEN_AUTH = "client_secret_basic"
    employee = EmployeeFactory()
    browser = Browser.at(nafath.url)
    waiting, number = start_nafath_sign_in(browser, employee.national_id)
    answer_on_phone(nafath.url, employee.national_id, number=number)
    assert browser.get(f"/nafath/requests/{_reference(waiting)}/").url == f"{nafath.url}/"

    User.objects.filter(username=employee.national_id).update(is_active=False)

    assert "Sign out" not in browser.get("/").text

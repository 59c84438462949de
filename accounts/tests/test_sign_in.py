"""Sign-in with password + SMS code, lockout, per-address limits, sign-out."""

import datetime as dt

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.models import SignInGuard, SmsDevice
from accounts.tests.factories import PASSWORD, UserFactory
from core.models import AuditEvent
from employment_records.tests.factories import national_id_from

from .conftest import last_code

pytestmark = pytest.mark.django_db

WRONG_LOGIN = "The national ID or the password is not correct."


@pytest.fixture
def person(db):
    return UserFactory(with_employee=True, mobile="+966551234534", preferred_language="en")


def password_step(web, user, password=PASSWORD, **extra):
    return web.post(
        "/accounts/login/", {"national_id": user.username, "password": password, **extra}
    )


def test_sign_in_end_to_end(web, person, outbox):
    response = password_step(web, person, next="/accounts/mobile/")
    assert response["Location"] == "/accounts/login/code/"
    assert SESSION_KEY not in web.session  # not signed in after the password alone
    page = web.get("/accounts/login/code/").content.decode()
    assert "+966 5• ••• ••34" in page
    assert outbox[-1].to == "+966551234534" and "sign-in code" in outbox[-1].body

    key_after_password = web.session.session_key
    response = web.post("/accounts/login/code/", {"code": last_code(outbox)})
    assert response["Location"] == "/accounts/mobile/"
    assert web.session[SESSION_KEY] == str(person.pk)
    assert web.session.session_key != key_after_password
    assert web.session["auth_method"] == "password_otp"
    assert web.session[DEVICE_ID_SESSION_KEY] == SmsDevice.objects.get(user=person).persistent_id
    assert AuditEvent.objects.filter(action="accounts.signed_in", actor=person).exists()


def test_the_session_key_changes_after_the_password(web, person):
    web.get("/accounts/login/")
    web.session.save()
    before = web.cookies["sessionid"].value
    password_step(web, person)
    assert web.cookies["sessionid"].value != before


def test_wrong_password_and_unknown_id_read_the_same(web, person, outbox):
    web.cookies["django_language"] = "en"
    wrong = password_step(web, person, password="not the password at all")
    unknown = web.post("/accounts/login/", {"national_id": "1000000008", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 400
    assert WRONG_LOGIN in wrong.content.decode() and WRONG_LOGIN in unknown.content.decode()
    assert outbox == []
    failures = AuditEvent.objects.filter(action="accounts.sign_in_failed")
    assert failures.count() == 2
    assert all(PASSWORD not in str(event.changes) for event in failures)


def test_a_wrong_code_does_not_sign_in(web, person, outbox):
    password_step(web, person)
    code = last_code(outbox)
    web.cookies["django_language"] = "en"
    response = web.post("/accounts/login/code/", {"code": f"{(int(code) + 1) % 10**6:06d}"})
    assert response.status_code == 400
    assert "The code is not correct or has expired" in response.content.decode()
    assert SESSION_KEY not in web.session


def test_the_code_is_accepted_once(person):
    device, _ = SmsDevice.objects.get_or_create(user=person, defaults={"name": "mobile"})
    code = device.generate_token()
    assert device.verify_token(code) is True
    SmsDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    device.refresh_from_db()
    assert device.verify_token(code) is False
    assert device.token in (None, "")  # the plain code is never stored


def test_an_expired_code_is_refused(person):
    device = SmsDevice.objects.create(user=person, name="mobile")
    code = device.generate_token()
    SmsDevice.objects.filter(pk=device.pk).update(
        valid_until=timezone.now() - dt.timedelta(seconds=1)
    )
    device.refresh_from_db()
    assert device.verify_token(code) is False


def _lock(web, person):
    for _ in range(10):
        password_step(web, person, password="wrong password here")


def test_ten_failures_lock_the_account_for_15_minutes(web, person, outbox):
    web.cookies["django_language"] = "en"
    _lock(web, person)
    guard = SignInGuard.objects.get(national_id=person.username)
    minutes = (guard.locked_until - timezone.now()).total_seconds() / 60
    assert 14.9 < minutes <= 15
    response = password_step(web, person)  # even the right password, from this address
    assert response.status_code == 400
    page = response.content.decode()
    assert "Sign-in is locked for 15 minutes" in page
    # The lock page points to the ways in that need no password: Nafath and recovery.
    assert 'href="/oidc/start/"' in page and 'href="/accounts/recover/"' in page
    # No code was sent; the owner was told once that their ID is being tried.
    assert [sms.to for sms in outbox] == [person.mobile]
    assert "many failed attempts to sign in" in outbox[0].body
    assert AuditEvent.objects.filter(action="accounts.locked_out").count() == 1


def test_the_lock_grows_on_repeat(web, person):
    _lock(web, person)
    SignInGuard.objects.update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    cache.clear()  # the per-ID slow-down's window has passed too
    _lock(web, person)
    guard = SignInGuard.objects.get()
    minutes = (guard.locked_until - timezone.now()).total_seconds() / 60
    assert 29.9 < minutes <= 30 and guard.lockouts == 2


def test_wrong_codes_count_towards_the_lock(web, person, outbox):
    for _attempt in range(5):
        password_step(web, person, password="wrong password here")
    password_step(web, person)
    code = last_code(outbox)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        SmsDevice.objects.update(throttling_failure_timestamp=None)  # skip the back-off wait
        web.post("/accounts/login/code/", {"code": wrong})
    assert SignInGuard.objects.get().is_locked()
    SmsDevice.objects.update(throttling_failure_timestamp=None)
    response = web.post("/accounts/login/code/", {"code": code})
    assert response.status_code == 400 and SESSION_KEY not in web.session


def test_django_otp_throttling_asks_to_wait(web, person, outbox):
    password_step(web, person)
    code = last_code(outbox)
    web.cookies["django_language"] = "en"
    web.post("/accounts/login/code/", {"code": f"{(int(code) + 1) % 10**6:06d}"})
    response = web.post("/accounts/login/code/", {"code": code})  # too soon after a failure
    assert "Wait a few seconds" in response.content.decode()


def test_success_resets_the_failure_count(web, person, outbox):
    for _ in range(9):
        password_step(web, person, password="wrong password here")
    password_step(web, person)
    web.post("/accounts/login/code/", {"code": last_code(outbox)})
    assert SignInGuard.objects.get().consecutive_failures == 0


def test_failed_sign_ins_are_limited_per_address(web, person):
    web.cookies["django_language"] = "en"
    for index in range(30):  # 30 different IDs, so no account lock gets in the way
        web.post("/accounts/login/", {"national_id": national_id_from(index), "password": "x"})
    response = password_step(web, person)  # even a right password, from this address
    assert response.status_code == 429
    assert "Too many attempts from your network" in response.content.decode()


def test_successful_sign_ins_do_not_use_up_the_address_limit(web, outbox):
    for _ in range(35):
        colleague = UserFactory()
        assert password_step(web, colleague)["Location"] == "/accounts/login/code/"


def test_the_code_step_needs_the_password_step(web):
    assert web.get("/accounts/login/code/")["Location"] == "/accounts/login/"


def test_resend_sign_in_code_respects_the_cooldown(web, person, outbox):
    password_step(web, person)
    web.cookies["django_language"] = "en"
    response = web.post("/accounts/login/code/resend/", follow=True)
    assert "You can ask for a new code in" in response.content.decode()
    assert len(outbox) == 1
    SmsDevice.objects.update(last_sent_at=timezone.now() - dt.timedelta(seconds=61))
    web.post("/accounts/login/code/resend/")
    assert len(outbox) == 2


def test_sign_out_ends_the_session_on_the_server(web, person, outbox):
    password_step(web, person)
    web.post("/accounts/login/code/", {"code": last_code(outbox)})
    key = web.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    web.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()


def test_an_open_redirect_is_not_followed(web, person, outbox):
    password_step(web, person, next="https://evil.example/")
    response = web.post("/accounts/login/code/", {"code": last_code(outbox)})
    assert response["Location"] == "/"


@pytest.mark.parametrize("next_url", ["dashboard", "<script>", "-1", "//evil.example/"])
def test_a_next_that_is_not_a_path_of_this_site_leads_to_the_dashboard(
    web, person, outbox, next_url
):
    password_step(web, person, next=next_url)
    response = web.post("/accounts/login/code/", {"code": last_code(outbox)})
    assert response["Location"] == "/"
    # Already signed in: the login page sends them on, to the dashboard too.
    assert web.get("/accounts/login/", {"next": next_url})["Location"] == "/"


def test_the_login_page_offers_nafath_and_costs_few_queries(web, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = web.get("/accounts/login/")
    assert response.status_code == 200
    assert "accounts/nafath_button.html" in [t.name for t in response.templates]
    # Nafath is the main door: it stands before the password form, not in a box below it.
    page = response.content.decode()
    assert page.index('action="/oidc/') < page.index('name="password"')


def test_sign_in_errors_are_summarised_above_both_doors(web):
    web.cookies["django_language"] = "en"
    response = web.post("/accounts/login/", {"national_id": "", "password": ""})
    page = response.content.decode()
    summary = page.index('class="error-summary"')
    assert summary < page.index('action="/oidc/') and page.count('class="error-summary"') == 1
    # Each error names its field and links to its input.
    assert 'href="#id_national_id"' in page and 'href="#id_password"' in page


def test_sign_in_codes_are_capped_per_phone_and_id(web, person, outbox):
    web.cookies["django_language"] = "en"
    for _ in range(5):
        SmsDevice.objects.update(last_sent_at=None)  # past the cooldown each time
        assert password_step(web, person)["Location"] == "/accounts/login/code/"
    SmsDevice.objects.update(last_sent_at=None)
    response = password_step(web, person)
    page = response.content.decode()
    assert response.status_code == 429 and "too many codes" in page
    # It says how long to wait and offers the way that needs no code.
    assert "Wait up to an hour" in page and "Sign in with Nafath instead" in page
    assert len(outbox) == 5

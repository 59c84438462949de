"""Persona 1023456781 registers (in Arabic, and again in English), signs out, and signs in with
password + SMS code. axe-core checks every page visited."""

import datetime as dt
import os
import re

import pytest

from accounts.tests.conftest import LOCMEM_CACHE
from core import sms as backends
from employment_records.tests.factories import EmployeeFactory
from tests.fixtures.browser import assert_accessible, click_and_wait

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "quiet river lantern 42"
SCREENSHOTS = os.environ.get("ACCOUNTS_SCREENSHOTS")  # a folder, to look at the pages


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "locmem"  # the live server runs in this process: same outbox
    settings.IDENTITY_FORM_MIN_SECONDS = 0
    settings.CACHES = LOCMEM_CACHE  # never flush a shared Redis
    backends.outbox.clear()
    from django.core.cache import cache

    cache.clear()
    return backends.outbox


def code_from(outbox) -> str:
    return re.search(r"\b(\d{6})\b", outbox[-1].body).group(1)


def visit(page, name):
    assert_accessible(page)
    if SCREENSHOTS:
        language = page.locator("html").get_attribute("lang")
        page.screenshot(path=f"{SCREENSHOTS}/{language}-{name}.png", full_page=True)


@pytest.mark.parametrize(("browser_locale", "direction"), [("ar-SA", "rtl"), ("en-US", "ltr")])
def test_register_sign_out_and_sign_in(live_server, page, sms_outbox, direction):
    EmployeeFactory(
        national_id="1023456781",
        date_of_birth=dt.date(1992, 7, 1),
        registry_mobile="+966551234534",  # the civil registry's number: the code goes there
    )

    page.goto("/accounts/register/")
    assert page.locator("html").get_attribute("dir") == direction
    visit(page, "1-identity")
    page.fill("#id_national_id", "١٠٢٣٤٥٦٧٨١")  # Eastern Arabic digits, as a phone types them
    page.fill("#id_date_of_birth_1", "1413-01-02")  # a wrong date first
    page.click("main button[type=submit]")
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert page.input_value("#id_national_id") == "١٠٢٣٤٥٦٧٨١"  # kept as typed
    visit(page, "1b-identity-error")
    page.fill("#id_date_of_birth_1", "1413-01-01")  # Hijri, the default calendar
    page.click("main button[type=submit]")

    page.wait_for_url("**/accounts/register/details/")
    visit(page, "2-details")
    assert page.locator("#id_mobile").count() == 0  # nobody types the number the code goes to
    assert "+966 5• ••• ••34" in page.inner_text("main")
    page.fill("#id_email", "persona@example.sa")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("main button[type=submit]")

    page.wait_for_url("**/accounts/register/verify/")
    assert "+966 5• ••• ••34" in page.inner_text("main")
    assert page.locator("#resend-code").is_disabled()  # the countdown holds the resend button
    visit(page, "3-verify")
    page.fill("#id_code", code_from(sms_outbox))
    page.click("main form:first-of-type button[type=submit]")

    page.wait_for_url("**/accounts/register/done/")
    visit(page, "4-done")
    assert len(sms_outbox) == 2  # the code, then the confirmation

    page.click("form[action='/accounts/logout/'] button")
    page.goto("/accounts/login/")
    visit(page, "5-login")
    page.fill("#id_national_id", "1023456781")
    page.fill("#id_password", PASSWORD)
    page.click("main form[action='/accounts/login/'] button[type=submit]")  # below Nafath

    page.wait_for_url("**/accounts/login/code/")
    visit(page, "6-login-code")
    page.fill("#id_code", code_from(sms_outbox))
    page.click("main form:first-of-type button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    assert page.locator("form[action='/accounts/logout/']").count() == 1
    visit(page, "7-dashboard")

    # The account page, and a password change refused with the typed values kept.
    click_and_wait(page.locator("a[href='/accounts/']"))
    visit(page, "8-account")
    click_and_wait(page.locator("a[href='/accounts/password/']"))
    page.fill("#id_current_password", "not my password 1")
    page.fill("#id_password1", "a brand new phrase 5")
    page.fill("#id_password2", "a brand new phrase 5")
    click_and_wait(page.locator("main button[type=submit].btn-primary"))
    page.locator(".error-summary").wait_for()
    assert page.input_value("#id_password1") == ""  # passwords are never sent back
    visit(page, "9-password-error")


def test_idle_warning_appears_and_stay_signed_in_keeps_the_session(
    live_server, page, sms_outbox, settings
):
    from django.test import Client

    from accounts.tests.factories import UserFactory, sign_in_verified

    settings.SESSION_IDLE_TIMEOUT = 122  # the warning shows 120 s before: after 2 s here
    client = Client()
    sign_in_verified(client, UserFactory(with_employee=True))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto("/")
    warning = page.locator("[data-session-warning]")
    assert warning.is_hidden()
    warning.wait_for(state="visible", timeout=5000)
    visit(page, "8-idle-warning")
    warning.locator("button").click()
    page.wait_for_load_state()
    assert page.locator("form[action='/accounts/logout/']").count() == 1  # still signed in

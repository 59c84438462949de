"""Steps several browser journeys share."""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.test import Client

from accounts.tests.factories import sign_in_verified
from tests.fixtures.browser import assert_accessible, click_and_wait


def sign_in_with_nafath(portal, national_id: str, *, check_accessibility: bool = True) -> None:
    """The real Nafath flow in Arabic: the portal tab waits with the number, a second tab (the
    "Nafath app" on the phone) picks it, and the portal continues on its own."""
    phone = portal.context.new_page()
    portal.goto("/accounts/login/")
    click_and_wait(portal.get_by_role("button", name="الدخول عبر نفاذ"))
    portal.get_by_label("رقم الهوية الوطنية").fill(national_id)
    click_and_wait(portal.get_by_role("button", name="متابعة"))
    number = portal.get_by_test_id("nafath-number").inner_text()
    assert re.fullmatch(r"\d{2}", number)
    if check_accessibility:
        assert_accessible(portal)
    phone.goto("/nafath/app/")
    phone.get_by_label("رقم الهوية الوطنية").fill(national_id)
    click_and_wait(phone.get_by_role("button", name="عرض طلباتي"))
    click_and_wait(phone.get_by_role("button", name=number, exact=True))
    phone.close()
    # The waiting page polls and continues to the dashboard ("/") on its own.
    portal.wait_for_url(lambda url: urlsplit(url).path == "/", timeout=10_000)


def sign_in_verified_by_cookie(page, base_url: str, user) -> None:
    """A session that passed password + SMS code (its own journey proves that flow), handed to
    the browser: what /hr/ and /admin/ require."""
    client = Client()
    sign_in_verified(client, user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])

"""The shell in a real browser: Arabic RTL by default, the language switch, the dashboard's
service states, and axe-core on each page."""

import pytest
from django.conf import settings
from django.test import Client

from accounts.tests.factories import UserFactory, grant_all
from tests.fixtures.browser import assert_accessible, click_and_wait

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in_by_cookie(page, live_server, user) -> None:
    """A signed-in session without going through the sign-in pages (they have their own
    journeys): the session is created by Django's test client and handed to the browser."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_anonymous_dashboard_is_arabic_rtl_and_accessible(live_server, page):
    page.goto("/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.get_by_role("heading", level=1).inner_text() == "مسار: خدمات موظفي الجهات الحكومية"
    assert_accessible(page)


def test_signed_in_dashboard_in_both_languages(live_server, page):
    user = UserFactory(with_employee=True)
    grant_all(user.employee)
    sign_in_by_cookie(page, live_server, user)

    page.goto("/")
    assert page.locator(".service-card.is-open").count() == 5
    closed = page.locator(".service-card.is-closed")
    assert closed.count() == 1
    assert "لماذا" in closed.inner_text()  # the card links to its reason, said once below
    reason = page.locator("#why-nafath")
    assert "نفاذ" in reason.inner_text()
    assert reason.get_by_role("button", name="الدخول عبر نفاذ").count() == 1
    assert_accessible(page)

    click_and_wait(page.get_by_role("button", name="English"))
    assert page.url == f"{live_server.url}/"
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert "Sign in with Nafath" in page.locator("#why-nafath").inner_text()
    assert_accessible(page)


def test_not_found_page_is_accessible(live_server, page):
    page.goto("/no-such-page/")
    assert page.get_by_role("link", name="الذهاب إلى الصفحة الرئيسية").count() >= 1
    assert_accessible(page)


def test_pages_fit_a_phone_without_sideways_scrolling(live_server, new_page):
    """Wide tables scroll inside their frame; the page itself never scrolls sideways (a
    visually-hidden text in a table cell once widened the record page to twice a phone)."""
    from django.utils import timezone

    from employment_records.tests.factories import ActionFactory
    from tests.fixtures.browser import MOBILE_VIEWPORT

    user = UserFactory(with_employee=True, nafath_verified_at=timezone.now())
    grant_all(user.employee)
    ActionFactory.create_batch(5, employee=user.employee)
    page = new_page(viewport=MOBILE_VIEWPORT)
    sign_in_by_cookie(page, live_server, user)
    for path in ("/", "/my-data/", "/my-data/record/", "/my-data/training/", "/grievances/new/"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= MOBILE_VIEWPORT["width"], f"{path} is {width} px wide"

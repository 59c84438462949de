"""The notification inbox in a real browser: the header's unread count, the list (Arabic RTL,
both calendars), read once opened, "Mark all as read", and axe-core on the page."""

import pytest

from accounts.tests.factories import UserFactory
from core.models import Notification
from core.notifications import notify
from tests.e2e.test_shell import sign_in_by_cookie
from tests.fixtures.browser import assert_accessible, click_and_wait

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _locmem_sms(settings):
    settings.SMS_BACKEND = "locmem"


def test_the_inbox_from_the_header_to_all_read(live_server, page):
    user = UserFactory()
    for number in range(3):
        notify(user=user, kind="test_message", context={"number": number, "url": "/my-data/"})
    sign_in_by_cookie(page, live_server, user)

    page.goto("/")
    link = page.locator(".notifications-link")
    assert "3" in link.inner_text()
    click_and_wait(link)
    assert page.get_by_role("heading", level=1).inner_text() == "الإشعارات"
    assert page.locator(".notification-new").count() == 3
    assert page.get_by_role("link", name="فتح").count() == 3
    assert_accessible(page)
    # Opening the page read them: the header no longer counts them.
    assert page.locator(".notifications-link .badge").count() == 0
    page.reload()
    assert page.locator(".notification-new").count() == 0
    assert page.locator(".notifications-link .badge").count() == 0

    notify(user=user, kind="test_message", context={"number": 9})
    page.goto("/")
    assert page.locator(".notifications-link .badge").count() == 1
    page.goto("/notifications/?page=2")  # an empty page number shows the last page
    click_and_wait(page.get_by_role("button", name="تعليم الكل كمقروء"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert_accessible(page)

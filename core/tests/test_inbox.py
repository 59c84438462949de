"""The notification inbox at /notifications/: the person's own notices (never codes), newest
first, read and unread, a count in the header, at a constant number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from core.dates import format_gregorian, format_hijri
from core.models import Notification
from core.notifications import notify

pytestmark = pytest.mark.django_db

INBOX = "/notifications/"


@pytest.fixture(autouse=True)
def _locmem_sms(settings):
    settings.SMS_BACKEND = "locmem"


@pytest.fixture
def person(client):
    user = UserFactory(preferred_language="en")
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return user


def notice(user, number, **kwargs):
    return notify(user=user, kind="test_message", context={"number": number}, **kwargs)


def test_signing_in_is_required(client):
    response = client.get(INBOX)
    assert response.status_code == 302 and "/accounts/" in response["Location"]
    assert client.post(reverse("notifications:mark_all_read")).status_code == 302
    assert Notification.objects.count() == 0


def test_lists_own_notices_newest_first_never_codes_nor_others(client, person):
    older = notice(person, 1)
    Notification.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=3))
    notice(person, 2)
    notify(
        user=person,
        kind="sign_in_code",
        context={"code": "424242", "minutes": 5},
        inbox=False,
        expires_at=timezone.now() + timedelta(minutes=5),
    )
    notice(UserFactory(), 99)  # someone else's
    page = client.get(INBOX).content.decode()
    assert page.index("number 2.") < page.index("number 1.")  # newest first
    assert "424242" not in page and "number 99" not in page
    three_days_ago = timezone.now() - timedelta(days=3)
    assert format_hijri(three_days_ago) in page and format_gregorian(three_days_ago) in page


def test_opening_the_page_marks_its_notices_read_and_shows_them_new_once(client, person):
    notice(person, 1)
    header = client.get("/").content.decode()
    assert "1 unread notification" in header
    first = client.get(INBOX).content.decode()
    assert first.count('class="notification notification-new"') == 1
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    second = client.get(INBOX).content.decode()
    assert "notification-new" not in second
    assert "unread notification" not in client.get("/").content.decode()


def test_mark_all_read(client, person):
    for number in range(25):
        notice(person, number)
    response = client.post(reverse("notifications:mark_all_read"), follow=True)
    assert response.redirect_chain[-1][0] == INBOX
    assert "All your notifications are marked as read." in response.content.decode()
    assert not Notification.objects.filter(recipient=person, read_at__isnull=True).exists()


def test_mark_all_read_only_marks_my_own(client, person):
    other = UserFactory()
    notice(other, 1)
    client.post(reverse("notifications:mark_all_read"))
    assert Notification.objects.get(recipient=other).read_at is None


def test_a_notice_with_a_link_offers_it(client, person):
    notify(user=person, kind="test_message", context={"number": 1, "url": "/grievances/mine/"})
    page = client.get(INBOX).content.decode()
    assert 'href="/grievances/mine/"' in page


def test_pages_of_twenty(client, person):
    for number in range(45):
        notice(person, number)
    page = client.get(INBOX).content.decode()
    assert page.count('<li class="notification') == 20 and 'rel="next"' in page
    last = client.get(INBOX, {"page": 3}).content.decode()
    assert last.count('<li class="notification') == 5
    # Only the notices shown were marked read.
    assert Notification.objects.filter(read_at__isnull=True).count() == 20


def test_an_empty_inbox_says_so(client, person):
    assert "You have no notifications yet." in client.get(INBOX).content.decode()


def test_arabic_page(client, person):
    client.cookies["django_language"] = "ar"
    notice(person, 1)
    page = client.get(INBOX).content.decode()
    assert "الإشعارات" in page


@pytest.mark.parametrize("count", [1, 30])
def test_the_inbox_costs_a_constant_number_of_queries(
    client, person, count, django_assert_max_num_queries
):
    for number in range(count):
        notice(person, number)
    # session, user, count for the pages, one page of rows, mark them read, the header's
    # unread count, and the session save
    with django_assert_max_num_queries(7):
        assert client.get(INBOX).status_code == 200


def notification_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries if "core_notification" in q["sql"]]


def test_the_header_count_is_one_query_and_none_for_visitors(client, person):
    for number in range(3):
        notice(person, number)
    queries = notification_queries(client, "/")
    assert len(queries) == 1 and "COUNT" in queries[0].upper()
    client.logout()
    assert notification_queries(client, "/") == []

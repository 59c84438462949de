"""notify_many(): the same outbox rows notify() writes, for thousands of people at once, in a
fixed number of queries per batch, handed to the relay by one task per batch after commit."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from core import notifications, sms
from core.models import Notification
from core.notifications import notify_many, unread_count
from core.tasks import relay_notifications

pytestmark = pytest.mark.django_db

Status = Notification.Status
CONTEXT = {"round": "ترقيات ١٤٤٨", "round_en": "Promotions 1448"}


@pytest.fixture(autouse=True)
def locmem_sms(settings):
    settings.SMS_BACKEND = "locmem"
    sms.outbox.clear()
    return sms.outbox


def people(count, **fields):
    return [UserFactory(**fields) for _ in range(count)]


def test_each_person_gets_their_inbox_row_and_sms_in_their_language(
    django_capture_on_commit_callbacks, locmem_sms
):
    arabic, english = UserFactory(), UserFactory(preferred_language="en")
    no_mobile = UserFactory(mobile="")
    with django_capture_on_commit_callbacks(execute=True):
        written = notify_many(
            users=iter([arabic, english, no_mobile]), kind="promotion_result", context=CONTEXT
        )
    assert written == 3
    rows = {row.recipient_id: row for row in Notification.objects.all()}
    assert rows[arabic.pk].language == "ar" and "ترقيات ١٤٤٨" in rows[arabic.pk].body
    assert rows[english.pk].body.startswith("Masar: the results of the promotion round")
    assert "Promotions 1448" in rows[english.pk].body
    assert all(row.inbox and row.kind == "promotion_result" for row in rows.values())
    # Texted after commit by the relay (eager here); nothing to text is delivered already.
    assert rows[arabic.pk].status == rows[english.pk].status == Status.SENT
    assert {message.to for message in locmem_sms} == {arabic.mobile, english.mobile}
    assert rows[no_mobile.pk].sms is False and rows[no_mobile.pk].status == Status.SENT


def test_the_queries_do_not_grow_with_the_people(django_capture_on_commit_callbacks):
    few, many = people(2), people(12)
    with CaptureQueriesContext(connection) as for_few:
        notify_many(users=few, kind="promotion_result", context=CONTEXT)
    with CaptureQueriesContext(connection) as for_many:
        notify_many(users=many, kind="promotion_result", context=CONTEXT)
    assert len(for_many) == len(for_few) == 1  # one INSERT per NOTIFY_BATCH rows
    assert Notification.objects.count() == 14


def test_one_relay_task_per_batch_after_commit(django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(notifications, "RELAY_BATCH", 2)
    handed = []
    monkeypatch.setattr(
        relay_notifications, "apply_async", lambda args, **options: handed.append(list(args[0]))
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify_many(users=people(5), kind="promotion_result", context=CONTEXT)
    assert handed == []  # nothing before commit
    for callback in callbacks:
        callback()
    ids = sorted(Notification.objects.values_list("pk", flat=True))
    assert [len(batch) for batch in handed] == [2, 2, 1]
    assert sorted(pk for batch in handed for pk in batch) == ids


def test_a_broker_outage_leaves_the_rows_queued_for_the_sweep(
    django_capture_on_commit_callbacks, monkeypatch
):
    def broker_down(**kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(relay_notifications, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        notify_many(users=people(3), kind="promotion_result", context=CONTEXT)
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.QUEUED}


def test_the_header_counts_are_forgotten(django_capture_on_commit_callbacks):
    person = UserFactory()
    assert unread_count(person) == 0  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        notify_many(users=[person], kind="promotion_result", context=CONTEXT)
    assert unread_count(person) == 1


def test_an_unregistered_kind_is_refused():
    with pytest.raises(notifications.UnregisteredNotificationKind):
        notify_many(users=people(1), kind="no_such_kind")


def test_a_broker_outage_ends_the_hand_over_at_the_first_batch(
    django_capture_on_commit_callbacks, monkeypatch
):
    """Each hand-over waits about a second at most: with the broker away, the request does not
    wait once per batch; the sweep sends every row later."""
    monkeypatch.setattr(notifications, "RELAY_BATCH", 1)
    attempts = []

    def broker_down(**options):
        attempts.append(options)
        raise ConnectionError("broker down")

    monkeypatch.setattr(relay_notifications, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        notify_many(users=people(3), kind="promotion_result", context=CONTEXT)
    assert len(attempts) == 1
    assert attempts[0]["retry_policy"]["max_retries"] == 1

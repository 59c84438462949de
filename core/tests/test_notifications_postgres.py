"""The relay under concurrency, on PostgreSQL: a row another relay has locked is skipped (not
waited for), and two relays of one row text it once."""

import threading

import pytest
from django.db import connection, connections, transaction

from accounts.tests.factories import UserFactory
from core import notifications
from core.models import Notification
from core.notifications import notify

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs real row locking between connections: SQLite's in-memory test database "
        "is one connection shared by threads (CI runs these on PostgreSQL)",
    ),
]


class SlowGateway:
    """Holds each message until the test lets it go."""

    entered = threading.Event()
    release = threading.Event()
    sent: list = []

    def send(self, *, to, body, message_id):
        SlowGateway.entered.set()
        assert SlowGateway.release.wait(timeout=20)
        SlowGateway.sent.append(message_id)
        return "provider-1"


@pytest.fixture
def slow_gateway(settings):
    settings.SMS_BACKEND = "core.tests.test_notifications_postgres.SlowGateway"
    SlowGateway.entered, SlowGateway.release, SlowGateway.sent = (
        threading.Event(),
        threading.Event(),
        [],
    )
    return SlowGateway


def queued_notice(monkeypatch):
    """Committed without publishing: the test drives the relay itself."""
    user = UserFactory()
    with monkeypatch.context() as patched:
        patched.setattr(notifications, "_publish", lambda notification: None)
        with transaction.atomic():
            return notify(user=user, kind="test_message", context={"number": 1})


def in_thread(target):
    outcome = {}

    def run():
        try:
            outcome["result"] = target()
        except Exception as error:  # noqa: BLE001 - reported to the test
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_a_row_locked_by_another_relay_is_skipped_not_waited_for(settings, monkeypatch):
    settings.SMS_BACKEND = "locmem"
    notification = queued_notice(monkeypatch)
    locked, done = threading.Event(), threading.Event()

    def hold_the_lock():
        with transaction.atomic():
            Notification.objects.select_for_update().get(pk=notification.pk)
            locked.set()
            done.wait(timeout=20)

    thread, _outcome = in_thread(hold_the_lock)
    try:
        assert locked.wait(timeout=10)
        assert notifications.deliver(notification.pk) is None  # at once: SKIP LOCKED
        assert Notification.objects.get(pk=notification.pk).status == Notification.Status.QUEUED
    finally:
        done.set()
        thread.join(timeout=20)


def test_two_relays_of_one_row_text_it_once(slow_gateway, monkeypatch):
    notification = queued_notice(monkeypatch)
    first, outcome = in_thread(lambda: notifications.deliver(notification.pk))
    try:
        assert slow_gateway.entered.wait(timeout=10)  # the first relay is at the gateway
        # The second finds the row `sending` under the first one's lease and leaves it.
        assert notifications.deliver(notification.pk) is None
    finally:
        slow_gateway.release.set()
        first.join(timeout=20)
    assert "error" not in outcome, outcome
    assert slow_gateway.sent == [notification.idempotency_key]
    assert Notification.objects.get(pk=notification.pk).status == Notification.Status.SENT

"""The notification outbox: rows written in the caller's transaction, delivered after commit
by the relay, retried with backoff, failed with a reason, re-driven by the sweep; codes
encrypted at rest and never sent late. (Real broker and worker: test_notifications_integration.)"""

from datetime import timedelta

import pytest
from django.db import OperationalError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.tests.factories import UserFactory
from core import cached, notifications, sms
from core.models import Notification
from core.notifications import notify
from core.tasks import deliver_notification, sweep_notifications

pytestmark = pytest.mark.django_db

Status = Notification.Status


def relay_callbacks(callbacks):
    """The on-commit callbacks besides forgetting the header's cached unread count."""
    return [
        callback for callback in callbacks if getattr(callback, "func", None) is not cached._delete
    ]


@pytest.fixture(autouse=True)
def locmem_sms(settings):
    settings.SMS_BACKEND = "locmem"
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 5.0
    settings.NOTIFICATION_REDRIVE_SECONDS = 600
    sms.outbox.clear()
    return sms.outbox


@pytest.fixture
def user(db):
    return UserFactory(mobile="+966512345634", preferred_language="en")


class Gateway:
    """A gateway whose answer the test sets: "ok", "down" (503) or "reject" (400)."""

    answer = "ok"
    sent: list = []

    def send(self, *, to, body, message_id):
        if Gateway.answer == "down":
            raise sms.GatewayUnavailable("gateway answered 503")
        if Gateway.answer == "reject":
            raise sms.GatewayRejected("gateway answered 400")
        Gateway.sent.append((to, body, message_id))
        return f"provider-{len(Gateway.sent)}"


@pytest.fixture
def gateway(settings):
    settings.SMS_BACKEND = "core.tests.test_notifications.Gateway"
    Gateway.answer, Gateway.sent = "ok", []
    return Gateway


def code_for(user, **kwargs):
    return notify(
        user=user,
        kind="sign_in_code",
        context={"code": "424242", "minutes": 5},
        inbox=False,
        expires_at=kwargs.pop("expires_at", timezone.now() + timedelta(minutes=5)),
        **kwargs,
    )


# --- notify() and the relay ---------------------------------------------------------------


def test_the_row_is_written_in_the_callers_transaction_and_texted_after_commit(
    user, locmem_sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            notification = notify(user=user, kind="test_message", context={"number": 7})
            assert locmem_sms == []  # nothing leaves before the transaction commits
    assert len(relay_callbacks(callbacks)) == 1
    assert [(m.to, m.body) for m in locmem_sms] == [
        ("+966512345634", "Masar: this is a test message, number 7.")
    ]  # in the person's language (English here)
    notification.refresh_from_db()
    assert notification.status == Status.SENT and notification.attempts == 1
    assert notification.sent_at is not None and notification.published is True
    assert locmem_sms[0].message_id == notification.idempotency_key
    assert notification.inbox and notification.body == locmem_sms[0].body


def test_a_rolled_back_change_sends_nothing(user, locmem_sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(user=user, kind="test_message", context={"number": 1})
            raise RuntimeError("the use case failed")
    assert locmem_sms == []
    assert not Notification.objects.exists()


def test_arabic_by_default_and_a_mobile_without_an_account(locmem_sms):
    with transaction.atomic():
        notification = notify(mobile="+966512345699", kind="test_message", context={"number": 3})
    assert notification.language == "ar" and notification.recipient is None
    assert not notification.inbox  # nobody's inbox: kept like a secret, encrypted
    with translation.override("ar"):
        arabic = render_to_string("sms/test_message.txt", {"number": 3}).strip()
    assert notifications.text_of(notification) == arabic and "Masar" not in arabic


def test_nothing_to_text_is_an_inbox_row_sent_at_once(django_capture_on_commit_callbacks):
    person = UserFactory(mobile="")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = notify(user=person, kind="test_message", context={"number": 2})
    assert relay_callbacks(callbacks) == []
    assert notification.status == Status.SENT and notification.inbox and not notification.sms


def test_a_broker_outage_never_fails_the_caller(
    user, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError as BrokerDown

    def refuse(*args, **kwargs):
        raise BrokerDown("connection refused")

    monkeypatch.setattr(deliver_notification, "apply_async", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            notification = notify(user=user, kind="test_message", context={"number": 5})
    assert notification.published is False
    notification.refresh_from_db()
    assert notification.status == Status.QUEUED
    assert notification.next_attempt_at > timezone.now()  # the sweep's, a minute from now


def test_the_same_key_writes_one_row(user):
    first = notify(user=user, kind="test_message", context={"number": 1}, key="grievance-7-1")
    again = notify(user=user, kind="test_message", context={"number": 1}, key="grievance-7-1")
    assert first.pk == again.pk and Notification.objects.count() == 1


def test_only_a_path_on_this_site_becomes_the_link(user):
    local = notify(user=user, kind="test_message", context={"number": 1, "url": "/my-data/"})
    other = notify(user=user, kind="test_message", context={"number": 1, "url": "//evil.example"})
    script = notify(user=user, kind="test_message", context={"number": 1, "url": "javascript:x"})
    assert (local.link, other.link, script.link) == ("/my-data/", "", "")


def test_a_redelivered_relay_does_not_send_twice(user, gateway):
    notification = notify(user=user, kind="test_message", context={"number": 1})
    deliver_notification.apply(args=[notification.pk])
    deliver_notification.apply(args=[notification.pk])
    assert len(gateway.sent) == 1


def test_a_row_another_relay_is_sending_is_left_alone(user, gateway):
    notification = notify(user=user, kind="test_message", context={"number": 1})
    Notification.objects.filter(pk=notification.pk).update(
        status=Status.SENDING, next_attempt_at=timezone.now() + timedelta(seconds=30)
    )
    assert notifications.deliver(notification.pk) is None
    assert gateway.sent == []


# --- Codes: secret at rest, never late ----------------------------------------------------


def test_a_code_is_encrypted_at_rest_and_wiped_once_sent(user, gateway):
    code = code_for(user)
    stored = Notification.objects.filter(pk=code.pk).values().get()
    assert "424242" not in repr(stored) and stored["body"] == ""
    assert bytes(stored["body_encrypted"])  # encrypted, not empty
    assert not code.inbox
    notifications.deliver(code.pk)
    assert "424242" in gateway.sent[0][1]
    code.refresh_from_db()
    assert code.status == Status.SENT and bytes(code.body_encrypted) == b""


def test_the_code_text_is_never_logged(user, gateway, caplog):
    gateway.answer = "down"
    code = code_for(user)
    for _attempt in range(3):
        notifications.deliver(code.pk)
    assert "424242" not in caplog.text


def test_an_expired_code_is_never_sent(user, gateway):
    code = code_for(user, expires_at=timezone.now() - timedelta(seconds=1))
    assert notifications.deliver(code.pk) is None
    code.refresh_from_db()
    assert gateway.sent == []
    assert code.status == Status.FAILED and code.reason == "expired"
    assert bytes(code.body_encrypted) == b""


def test_the_sweep_fails_expired_codes_and_wipes_them(user, gateway):
    queued = code_for(user, expires_at=timezone.now() + timedelta(seconds=30))
    gateway.answer = "down"
    retrying = code_for(user, expires_at=timezone.now() + timedelta(seconds=30))
    notifications.deliver(retrying.pk)
    later = timezone.now() + timedelta(minutes=2)
    counts = notifications.sweep(now=later)
    assert counts["expired"] == 2 and counts["redriven"] == 0
    for row in Notification.objects.all():
        assert row.status == Status.FAILED and row.reason == "expired"
        assert bytes(row.body_encrypted) == b""
    gateway.answer = "ok"
    notifications.deliver(queued.pk)
    assert gateway.sent == []


# --- Retries, backoff, failure, re-drive --------------------------------------------------


def test_backoff_doubles_up_to_the_cap(settings):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 5.0
    settings.NOTIFICATION_RETRY_MAX_SECONDS = 30.0
    assert [notifications.backoff(n) for n in range(1, 6)] == [5, 10, 20, 30, 30]


def test_a_gateway_error_schedules_a_retry_with_backoff(user, gateway):
    gateway.answer = "down"
    notification = notify(user=user, kind="test_message", context={"number": 1})
    before = timezone.now()
    assert notifications.deliver(notification.pk) == 5.0
    notification.refresh_from_db()
    assert notification.status == Status.RETRYING and notification.attempts == 1
    assert notification.reason == "gateway unavailable: gateway answered 503"
    assert before + timedelta(seconds=5) <= notification.next_attempt_at
    assert notifications.deliver(notification.pk) == 10.0


@pytest.fixture
def eager_retries(request):
    """Eager apply() re-runs a task on Retry only when it does not propagate errors."""
    conf = deliver_notification.app.conf
    previous, conf.task_eager_propagates = conf.task_eager_propagates, False
    request.addfinalizer(lambda: setattr(conf, "task_eager_propagates", previous))


def test_the_task_retries_gateway_errors_until_delivered(user, gateway, eager_retries, monkeypatch):
    flaky = {"left": 2}

    def send(self, *, to, body, message_id):
        if flaky["left"]:
            flaky["left"] -= 1
            raise sms.GatewayUnavailable("503")
        Gateway.sent.append(message_id)
        return "provider-1"

    monkeypatch.setattr(Gateway, "send", send)
    notification = notify(user=user, kind="test_message", context={"number": 1})
    deliver_notification.apply(args=[notification.pk])
    notification.refresh_from_db()
    assert gateway.sent == [notification.idempotency_key]
    assert notification.attempts == 3 and notification.status == Status.SENT


def test_the_task_retries_database_errors(user, gateway, eager_retries, monkeypatch):
    notification = notify(user=user, kind="test_message", context={"number": 1})
    real_deliver, calls = notifications.deliver, []

    def flaky_deliver(notification_id):
        calls.append(notification_id)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real_deliver(notification_id)

    monkeypatch.setattr(notifications, "deliver", flaky_deliver)
    deliver_notification.apply(args=[notification.pk])
    notification.refresh_from_db()
    assert len(calls) == 2 and notification.status == Status.SENT
    assert len(gateway.sent) == 1


def test_after_the_retry_budget_the_row_fails_with_the_reason(user, gateway):
    gateway.answer = "down"
    notification = notify(user=user, kind="test_message", context={"number": 1})
    for _attempt in range(3):
        notifications.deliver(notification.pk)
    notification.refresh_from_db()
    assert notification.status == Status.FAILED and notification.attempts == 3
    assert notification.reason == "gateway unavailable: gateway answered 503"
    # ... but not for ever: the sweep tries it again in NOTIFICATION_REDRIVE_SECONDS
    assert notification.next_attempt_at > timezone.now() + timedelta(seconds=590)


def test_the_sweep_redrives_a_failed_row_once_the_gateway_is_back(user, gateway):
    gateway.answer = "down"
    notification = notify(user=user, kind="test_message", context={"number": 1})
    for _attempt in range(3):
        notifications.deliver(notification.pk)
    notification.refresh_from_db()
    # Too early: nothing happens.
    assert notifications.sweep(now=timezone.now())["redriven"] == 0
    # Still down at the next re-drive: one more attempt, failed again, another wait.
    assert notifications.sweep(now=notification.next_attempt_at)["redriven"] == 1
    notification.refresh_from_db()
    assert notification.status == Status.FAILED and notification.attempts == 4
    gateway.answer = "ok"
    assert notifications.sweep(now=notification.next_attempt_at)["redriven"] == 1
    notification.refresh_from_db()
    assert notification.status == Status.SENT and len(gateway.sent) == 1
    assert notification.reason == "" and notification.next_attempt_at is None


def test_a_rejected_message_fails_for_good(user, gateway):
    gateway.answer = "reject"
    notification = code_for(user)
    assert notifications.deliver(notification.pk) is None
    notification.refresh_from_db()
    assert notification.status == Status.FAILED and notification.attempts == 1
    assert notification.reason == "rejected: gateway answered 400"
    assert notification.next_attempt_at is None and bytes(notification.body_encrypted) == b""


def test_the_sweep_sends_what_the_broker_lost_and_leaves_fresh_rows_to_the_relay(user, gateway):
    fresh = notify(user=user, kind="test_message", context={"number": 1})
    assert sweep_notifications.apply().get()["redriven"] == 0  # within its minute
    assert gateway.sent == []
    notifications.sweep(now=fresh.next_attempt_at)
    fresh.refresh_from_db()
    assert fresh.status == Status.SENT and len(gateway.sent) == 1


def test_the_sweep_takes_over_from_a_worker_that_died_while_sending(user, gateway):
    notification = notify(user=user, kind="test_message", context={"number": 1})
    lease_ended = timezone.now() - timedelta(seconds=1)
    Notification.objects.filter(pk=notification.pk).update(
        status=Status.SENDING, attempts=1, next_attempt_at=lease_ended
    )
    assert notifications.sweep()["redriven"] == 1
    notification.refresh_from_db()
    assert notification.status == Status.SENT and notification.attempts == 2
    # The same key both times: the gateway drops a duplicate of a message it did receive.
    assert gateway.sent[0][2] == notification.idempotency_key


def test_nothing_waits_for_ever(user, gateway, settings):
    notification = notify(user=user, kind="test_message", context={"number": 1})
    day_later = notification.created_at + timedelta(
        hours=settings.NOTIFICATION_MAX_AGE_HOURS, seconds=1
    )
    assert notifications.sweep(now=day_later)["given_up"] == 1
    notification.refresh_from_db()
    assert notification.status == Status.FAILED
    assert notification.reason == "not delivered within the maximum age"
    assert gateway.sent == []


def test_the_status_is_constrained(user):
    from django.db import IntegrityError

    notification = notify(user=user, kind="test_message", context={"number": 1})
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.filter(pk=notification.pk).update(status="lost")


def test_the_idempotency_key_is_unique(user):
    from django.db import IntegrityError

    notify(user=user, kind="test_message", context={"number": 1}, key="k-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(kind="x", idempotency_key="k-1", sms=False, inbox=False)


def test_a_newer_code_supersedes_one_still_waiting(user, gateway, monkeypatch):
    with monkeypatch.context() as broker_down:
        broker_down.setattr(notifications, "_publish", lambda notification: None)
        first = code_for(user)
    gateway.answer = "down"
    retrying = code_for(user)
    notifications.deliver(retrying.pk)
    assert notifications.supersede(mobile=user.mobile, kind="sign_in_code") == 2
    gateway.answer = "ok"
    newest = code_for(user)
    notifications.sweep(now=timezone.now() + timedelta(minutes=2))
    for old in (first, retrying):
        old.refresh_from_db()
        assert old.status == Status.FAILED and old.reason == "superseded"
        assert bytes(old.body_encrypted) == b""
    assert [message_id for _to, _body, message_id in gateway.sent] == [newest.idempotency_key]


def test_a_row_near_the_maximum_age_fails_for_good_instead_of_waiting_again(user, gateway):
    gateway.answer = "down"
    notification = notify(user=user, kind="test_message", context={"number": 1})
    almost_a_day_ago = timezone.now() - timedelta(hours=23, minutes=59)
    Notification.objects.filter(pk=notification.pk).update(created_at=almost_a_day_ago)
    for _attempt in range(3):
        notifications.deliver(notification.pk)
    notification.refresh_from_db()
    assert notification.status == Status.FAILED and notification.next_attempt_at is None
    assert notifications.sweep(now=timezone.now() + timedelta(hours=1))["redriven"] == 0

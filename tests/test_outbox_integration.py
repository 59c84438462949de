"""The notification outbox with a real Redis, a real Celery worker process and a loopback SMS
gateway (core/tests/gateway.py), on PostgreSQL:

* the broker is down when a grievance is filed: the filing saves and the page confirms it;
  the broker comes back and the notice is delivered exactly once;
* a database error during delivery is retried;
* the gateway down past the retry budget: `failed`, then re-driven by the sweep when it is back;
* an expired code is never sent.

This module runs its own redis-server on a free port (the broker of this process and of the
worker), so it can stop and restart it; it needs PostgreSQL like every worker test.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from core import notifications
from core.models import Notification
from core.notifications import notify
from core.tasks import deliver_notification, sweep_notifications
from core.tests.gateway import LoopbackGateway
from tests.fixtures.browser import skip_or_fail

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

Status = Notification.Status
DOWN = 10**6  # the gateway answers 503 this many times: "down until the test says otherwise"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A redis-server of this module's own, which a test can stop and start again."""

    def __init__(self, port: int, workdir):
        self.port, self.workdir, self.process = port, workdir, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - fixed argv
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=5)


def reset_broker_connections(app) -> None:
    app._pool, app.amqp._producer_pool = None, None


@pytest.fixture
def own_redis(tmp_path):
    if shutil.which("redis-server") is None:
        skip_or_fail("redis-server is not installed")
    server = RedisServer(free_port(), tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(own_redis):
    """Overrides the session's REDIS_URL: this process and the worker use our own Redis."""
    from masar.celery import app

    saved = app.conf.broker_url
    app.conf.broker_url = own_redis.url
    reset_broker_connections(app)
    yield own_redis.url
    app.conf.broker_url = saved
    reset_broker_connections(app)


@pytest.fixture
def gateway(monkeypatch):
    """The loopback gateway, and the worker's environment (requested before the worker: the
    worker copies os.environ). Small retry times keep the tests short."""
    server = LoopbackGateway().start()
    monkeypatch.setenv("SMS_BACKEND", "http")
    monkeypatch.setenv("SMS_GATEWAY_URL", server.url)
    monkeypatch.setenv("SMS_GATEWAY_API_KEY", "integration-key")
    monkeypatch.setenv("NOTIFICATION_MAX_ATTEMPTS", "4")
    monkeypatch.setenv("NOTIFICATION_RETRY_BASE_SECONDS", "0.3")
    monkeypatch.setenv("NOTIFICATION_REDRIVE_SECONDS", "1")
    yield server
    server.stop()


@pytest.fixture
def worker(gateway, celery_worker_process):
    return celery_worker_process


def status_of(notification) -> str:
    return Notification.objects.filter(pk=notification.pk).values_list("status", flat=True).get()


def delivered_to(gateway, notification) -> list:
    return [r for r in gateway.delivered if r.body["message_id"] == notification.idempotency_key]


def test_broker_down_at_submit_then_back_the_notice_is_delivered_once(
    own_redis, worker, gateway, client
):
    from grievances.tests.factories import grievance_user
    from grievances.tests.test_views import file_in_steps
    from masar.celery import app

    person = grievance_user()
    client.force_login(person)
    client.cookies["django_language"] = "en"

    own_redis.stop()  # the broker goes away
    started = time.monotonic()
    response = file_in_steps(client, follow=True)
    elapsed = time.monotonic() - started
    assert response.status_code == 200 and elapsed < 3, f"{response.status_code}, {elapsed:.1f}s"
    assert "submitted" in response.redirect_chain[-1][0]  # the confirmation page
    notice = Notification.objects.get(recipient=person)
    assert notice.status == Status.QUEUED and notice.kind == "grievance_submitted"

    own_redis.start()  # the broker is back (empty: the relay's message never reached it)
    reset_broker_connections(app)
    # A minute later the beat's sweep finds the row still queued.
    Notification.objects.filter(pk=notice.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    worker.wait_until(lambda: worker.ping(timeout=1.0), timeout=60)  # reconnected
    sweep_notifications.delay()
    worker.wait_until(lambda: status_of(notice) == Status.SENT, timeout=60)
    # Once more, to be sure: a second sweep sends nothing again.
    sweep_notifications.delay()
    time.sleep(1.5)
    assert len(delivered_to(gateway, notice)) == 1
    assert delivered_to(gateway, notice)[0].body["to"] == person.mobile


def test_a_database_error_during_delivery_is_retried(worker, gateway, monkeypatch):
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL")
    from accounts.tests.factories import UserFactory

    person = UserFactory()
    with monkeypatch.context() as patched:
        patched.setattr(notifications, "_publish", lambda notification: None)
        with transaction.atomic():
            notice = notify(user=person, kind="test_message", context={"number": 3})
    with connection.cursor() as cursor:  # the table is away: every query of the relay fails
        cursor.execute("ALTER TABLE core_notification RENAME TO core_notification_away")
    try:
        deliver_notification.delay(notice.pk)
        worker.wait_until(lambda: "database error" in worker.log(), timeout=30)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE core_notification_away RENAME TO core_notification")
    worker.wait_until(lambda: status_of(notice) == Status.SENT, timeout=30)
    assert "retrying" in worker.log()
    assert len(delivered_to(gateway, notice)) == 1


def test_gateway_down_past_the_budget_fails_then_the_sweep_redrives_it(worker, gateway):
    from accounts.tests.factories import UserFactory

    gateway.failures = DOWN
    person = UserFactory()
    with transaction.atomic():
        notice = notify(user=person, kind="test_message", context={"number": 4})
    worker.wait_until(lambda: status_of(notice) == Status.FAILED, timeout=30)
    notice.refresh_from_db()
    assert notice.attempts == 4
    assert notice.reason == "gateway unavailable: gateway answered 503"
    assert notice.next_attempt_at is not None  # to be re-driven, not forgotten
    assert len(gateway.requests) == 4 and gateway.delivered == []

    gateway.failures = 0  # the gateway is back
    while timezone.now() < notice.next_attempt_at:
        time.sleep(0.1)
    sweep_notifications.delay()  # what the beat does every minute
    worker.wait_until(lambda: status_of(notice) == Status.SENT, timeout=30)
    notice.refresh_from_db()
    assert notice.attempts == 5 and notice.reason == ""
    assert len(delivered_to(gateway, notice)) == 1


def test_an_expired_code_is_never_sent(worker, gateway, monkeypatch):
    from accounts.tests.factories import UserFactory

    person = UserFactory()

    def code(expires_in: float):
        return notify(
            user=person,
            kind="sign_in_code",
            context={"code": "424242", "minutes": 5},
            inbox=False,
            expires_at=timezone.now() + timedelta(seconds=expires_in),
        )

    # 1. The broker lost the code (never published); it expires before the sweep comes.
    with monkeypatch.context() as patched:
        patched.setattr(notifications, "_publish", lambda notification: None)
        with transaction.atomic():
            lost = code(expires_in=0.5)
    time.sleep(0.6)
    sweep_notifications.delay()
    worker.wait_until(lambda: status_of(lost) == Status.FAILED, timeout=30)
    lost.refresh_from_db()
    assert lost.reason == "expired" and bytes(lost.body_encrypted) == b""

    # 2. The gateway is down while the code is retried; it is back only after the code expired.
    gateway.failures = DOWN
    with transaction.atomic():
        retried = code(expires_in=1.0)
    worker.wait_until(lambda: gateway.requests, timeout=30)
    while timezone.now() < retried.expires_at + timedelta(seconds=0.3):
        time.sleep(0.05)
    gateway.failures = 0
    worker.wait_until(lambda: status_of(retried) == Status.FAILED, timeout=30)
    time.sleep(1.2)  # past any re-drive time
    sweep_notifications.delay()
    time.sleep(1.5)
    retried.refresh_from_db()
    assert retried.status == Status.FAILED and bytes(retried.body_encrypted) == b""
    assert gateway.delivered == []  # neither code ever reached a phone

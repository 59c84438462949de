"""Redis down, in the real topology (one Redis is both the cache and the broker): the test
starts its own redis-server on a free port, points the cache and Celery at it, kills it by pid
and asserts what the person sees. The shared Redis is never touched.

Before: the rate limiters' cache.get raised, so the password step and the statement request
answered 500. Now a code asked for while Redis is down waits in the notification outbox, and
the page says it may take a minute."""

import os
import shutil
import signal
import socket
import subprocess
import time
from contextlib import contextmanager

import pytest
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory, grant_all
from core.models import Document, Notification
from tests.fixtures.browser import skip_or_fail

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def own_redis():
    """A redis-server of this test's own, on a free port; yields (url, stop)."""
    binary = shutil.which("redis-server")
    if binary is None:
        skip_or_fail("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(port=port, socket_connect_timeout=0.5)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.exceptions.ConnectionError:
            time.sleep(0.05)
    else:
        process.kill()
        pytest.fail("the test's redis-server did not start")

    def stop():
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    yield f"redis://127.0.0.1:{port}", stop
    if process.poll() is None:
        stop()


@contextmanager
def celery_publishing_to(url: str):
    """Celery publishing for real (not eagerly) to this broker, as in production."""
    from masar.celery import app

    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url = url
    app.conf.task_always_eager = False
    app._pool, app.amqp._producer_pool = None, None
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        app._pool, app.amqp._producer_pool = None, None


def test_with_redis_down_people_get_answers_not_500s(client, settings, own_redis):
    from core import ratelimit

    url, stop_redis = own_redis
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"{url}/1",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.SMS_BACKEND = "locmem"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ratelimit._fallback.clear()
    client.raise_request_exception = False
    first = UserFactory(with_employee=True, mobile="+966551234534", preferred_language="en")
    second = UserFactory(with_employee=True, mobile="+966551234535", preferred_language="en")
    grant_all(first.employee)

    with celery_publishing_to(f"{url}/0"):
        # Redis up: the password step queues the code.
        response = client.post(
            "/accounts/login/",
            {"national_id": first.username, "password": PASSWORD},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 302
        assert Notification.objects.get().status == Notification.Status.QUEUED

        stop_redis()  # kill -9: cache and broker gone at once

        # The code waits in the outbox for the sweep (core.notifications): the person goes on
        # to the code step and reads that the code may take a minute to arrive.
        started = time.monotonic()
        response = client.post(
            "/accounts/login/",
            {"national_id": second.username, "password": PASSWORD},
            HTTP_ACCEPT_LANGUAGE="en",
            follow=True,
        )
        assert time.monotonic() - started < 5
        assert response.status_code == 200
        assert "it may take a minute to arrive" in response.content.decode()
        waiting = Notification.objects.get(mobile=second.mobile)
        assert waiting.status == Notification.Status.QUEUED and not waiting.inbox
        # A wrong password still answers, and still counts (the limits work in-process).
        wrong = client.post(
            "/accounts/login/", {"national_id": second.username, "password": "wrong"}
        )
        assert wrong.status_code == 400

        # A statement asked for now is kept, pending, for the re-queue once Redis is back.
        client.force_login(first)
        response = client.post(reverse("employment_records:statements"))
        assert response.status_code == 302
        assert Document.objects.get().status == Document.Status.PENDING
        page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 200 and "being prepared" in page.content.decode()

        # The public check of a document still answers (its limit counts in-process).
        assert client.get("/verify/ABCDEFGHJKMN/").status_code == 404
        # The readiness probe names the failure.
        ready = client.get("/readyz")
        assert ready.status_code == 503 and set(ready.json()["failed"]) >= {"cache", "broker"}
    ratelimit._fallback.clear()

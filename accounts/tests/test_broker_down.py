"""When the broker cannot be reached as a code is requested, the page answers within 2 seconds
(publishing is bounded: core.notifications._publish, CELERY_BROKER_*), the code waits in the
outbox for the sweep, and the person is told it may take a minute."""

import socket
import time
from contextlib import contextmanager

import pytest

from accounts.models import PendingVerification
from core.models import Notification

from .conftest import details_data, identity_data

pytestmark = pytest.mark.django_db(transaction=True)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens here once the probe is closed


@contextmanager
def celery_publishing_to(port: int):
    """Celery publishing for real (not eagerly) to a Redis URL on this port."""
    from masar.celery import app

    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url = f"redis://127.0.0.1:{port}/0"
    app.conf.task_always_eager = False
    app._pool, app.amqp._producer_pool = None, None  # connect afresh to that URL
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        app._pool, app.amqp._producer_pool = None, None


@pytest.fixture(params=["nothing listens", "accepts, never answers"])
def dead_broker(request):
    if request.param == "nothing listens":
        with celery_publishing_to(closed_port()):
            yield
        return
    # The kernel completes the handshake for a listening socket nobody accepts from: the
    # connection succeeds and every command then waits for an answer that never comes.
    with socket.socket() as black_hole:
        black_hole.bind(("127.0.0.1", 0))
        black_hole.listen(8)
        with celery_publishing_to(black_hole.getsockname()[1]):
            yield


def test_code_request_with_the_broker_down_answers_within_two_seconds(client, persona, dead_broker):
    client.cookies["django_language"] = "en"
    client.get("/accounts/register/")
    client.post("/accounts/register/", identity_data())
    started = time.monotonic()
    response = client.post("/accounts/register/details/", details_data())
    elapsed = time.monotonic() - started
    assert elapsed < 2, f"the page took {elapsed:.2f} s"
    assert response.status_code == 302  # on to the code step: nothing typed must be typed again
    page = client.get(response["Location"]).content.decode()
    assert "it may take a minute to arrive" in page
    code = Notification.objects.get()
    assert code.status == Notification.Status.QUEUED and not code.inbox
    assert PendingVerification.objects.get().code_sent_at is not None

"""A real Celery worker on Redis delivers codes through the `http` backend to a loopback
gateway. Run with REDIS_URL and a PostgreSQL DATABASE_URL set (.ci/run does)."""

import re

import pytest

from accounts import services
from core.models import Notification
from core.tests.gateway import LoopbackGateway

from .conftest import STRONG_PASSWORD

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def gateway(monkeypatch):
    """The gateway, and the worker's environment pointing the http backend at it (the worker
    fixture copies os.environ, so this fixture must be requested before it)."""
    server = LoopbackGateway(failures=2).start()
    monkeypatch.setenv("SMS_BACKEND", "http")
    monkeypatch.setenv("SMS_GATEWAY_URL", server.url)
    monkeypatch.setenv("SMS_GATEWAY_API_KEY", "integration-key")
    monkeypatch.setenv("NOTIFICATION_RETRY_BASE_SECONDS", "0.2")
    yield server
    server.stop()


def test_gateway_503_twice_is_retried_and_the_code_arrives_once(
    gateway, celery_worker_process, persona, rf
):
    verification = services.start_registration(
        employee=persona,
        email="p@example.sa",
        password=STRONG_PASSWORD,
        request=rf.post("/"),
        language="en",
    )
    message = Notification.objects.get()
    celery_worker_process.wait_until(
        lambda: Notification.objects.get(pk=message.pk).status == Notification.Status.SENT,
        timeout=30,
    )
    assert [received.status for received in gateway.requests] == [503, 503, 200]
    delivered = gateway.delivered
    assert len(delivered) == 1
    body = delivered[0].body
    assert body["to"] == "+966551234534" and body["message_id"] == message.idempotency_key
    assert delivered[0].headers["Authorization"] == "Bearer integration-key"
    code = re.search(r"\b(\d{6})\b", body["body"]).group(1)
    assert verification.code_matches(code)  # the code that arrived is this flow's code
    message.refresh_from_db()
    assert message.attempts == 3
    assert message.body_encrypted in (b"", None) or not bytes(message.body_encrypted)  # wiped

"""A dependency that is down is a 503 "try again" page in both languages with Retry-After,
never a 500; the rate limits keep counting when the cache is down; a statement requested while
the broker is down is kept and queued again later; the page says honestly how long it waits."""

import datetime as dt
import socket
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import PASSWORD, UserFactory, grant_all
from core import sms as backends
from core.models import Document

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens here once the probe is closed


def dead_redis_cache() -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


def assert_unavailable_page(response):
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    page = response.content.decode()
    assert "Temporarily unavailable" in page and "الخدمة غير متاحة مؤقتاً" in page
    assert "Traceback" not in page


@pytest.fixture
def employee(client):
    user = UserFactory(with_employee=True, mobile="+966551234534")
    grant_all(user.employee)
    client.force_login(user)
    return user


def database_down():
    return mock.patch.object(
        BaseDatabaseWrapper,
        "ensure_connection",
        side_effect=OperationalError("connection to server at 127.0.0.1 port 5432 failed"),
    )


def test_a_database_outage_in_a_view_is_a_503_in_both_languages(client, employee):
    url = reverse("employment_records:profile")
    assert client.get(url).status_code == 200
    client.raise_request_exception = False
    with database_down():
        response = client.get(url)
    assert_unavailable_page(response)
    # Kept by no cache (the signed-in user now comes from the cache, so the signed-in
    # headers are added too).
    assert "no-store" in response["Cache-Control"].split(", ")
    # Recovery needs no restart: the next request after the database is back is served.
    assert client.get(url).status_code == 200


def test_a_database_outage_raised_by_a_view_is_a_503_too(client, employee):
    """The session and the user are loaded by middleware (handler500 answers); a query the
    view makes itself is answered by OutageMiddleware."""
    with mock.patch("masar.views.decide_all", side_effect=OperationalError("server closed")):
        response = client.get(reverse("dashboard"))
    assert_unavailable_page(response)


def test_other_errors_stay_500(client, employee):
    client.raise_request_exception = False
    with mock.patch("masar.views.decide_all", side_effect=RuntimeError("a bug")):
        response = client.get(reverse("dashboard"))
    assert response.status_code == 500


def test_with_the_cache_down_sign_in_still_works_and_is_still_limited(
    client, settings, django_capture_on_commit_callbacks
):
    """Redis (cache) down: the password step used to answer 500 from the limiter's
    cache.get. The limits now count in-process and the person signs in."""
    from core import ratelimit

    settings.SMS_BACKEND = "locmem"
    settings.CACHES = dead_redis_cache()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ratelimit._fallback.clear()
    backends.outbox.clear()
    user = UserFactory(with_employee=True, mobile="+966551234534", preferred_language="en")
    client.cookies["django_language"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/login/", {"national_id": user.username, "password": PASSWORD}
        )
    assert response.status_code == 302 and response["Location"] == "/accounts/login/code/"
    assert backends.outbox and backends.outbox[-1].to == "+966551234534"

    from employment_records.tests.factories import national_id_from

    for index in range(31):
        response = client.post(
            "/accounts/login/", {"national_id": national_id_from(index), "password": "wrong"}
        )
    assert "Too many attempts from your network" in response.content.decode()
    ratelimit._fallback.clear()


def test_a_statement_requested_while_the_broker_is_down_is_kept(client, employee, monkeypatch):
    import kombu.exceptions

    from core import documents
    from core.tasks import render_document

    monkeypatch.setattr(
        render_document,
        "apply_async",
        mock.Mock(side_effect=kombu.exceptions.OperationalError("Connection refused")),
    )
    response = client.post(reverse("employment_records:statements"))
    document = Document.objects.get()
    assert response.status_code == 302
    assert document.status == Document.Status.PENDING
    # The beat task sends it again after the stale window, once the broker is back.
    monkeypatch.setattr(render_document, "apply_async", mock.Mock())
    later = timezone.now() + documents.STALE_AFTER + dt.timedelta(seconds=1)
    assert documents.requeue_stale(now=later) == [document.pk]
    render_document.apply_async.assert_called_once_with((document.pk,), queue="documents")


def test_a_slow_statement_says_how_long_it_has_waited(client, employee):
    document = Document.objects.create(
        kind="service_statement", holder=employee.employee, entity=employee.employee.entity
    )
    url = reverse("employment_records:statement", args=[document.code])
    fresh = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "few seconds" in fresh and "longer than usual" not in fresh
    assert client.get(url, HTTP_HX_REQUEST="true").status_code == 204

    Document.objects.filter(pk=document.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=4)
    )
    # The poll swaps the panel once, when it becomes slow...
    panel = client.get(url, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "taking longer than usual" in panel and "4\xa0minutes ago" in panel
    assert "?slow=1" in panel and 'hx-trigger="every 5s"' in panel
    # ...then stays quiet until it is ready.
    assert client.get(url + "?slow=1", HTTP_HX_REQUEST="true").status_code == 204
    arabic = client.get(url, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "أطول من المعتاد" in arabic

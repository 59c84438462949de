"""The client's address (rate limits, audit log) comes from the peer or from the configured
number of trusted proxies, is always a valid address or None, and never raises."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from core.audit import audit, client_ip
from core.models import AuditEvent

GARBAGE = ["x", "unknown", "", " ", ",,,", "999.1.1.1", "fe80::1%eth0", "\x00", "a" * 5000]


def request_with(remote="10.0.0.1", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_with("10.0.0.1", "6.6.6.6")) == "10.0.0.1"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "203.0.113.7", "203.0.113.7"),
        # The client wrote the left hops: only the one our proxy appended counts.
        (1, "6.6.6.6, 7.7.7.7, 203.0.113.7", "203.0.113.7"),
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (1, "203.0.113.7:5678", "203.0.113.7"),  # a proxy that adds the port
        (1, "[2001:db8::1]:443", "2001:db8::1"),
        (1, "2001:db8::1", "2001:db8::1"),
        (3, "203.0.113.7", "10.0.0.1"),  # shorter than the proxy chain: the peer
        (1, None, "10.0.0.1"),
    ],
)
def test_the_hop_written_by_the_nearest_trusted_proxy(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_ip(request_with("10.0.0.1", forwarded)) == expected


@pytest.mark.parametrize("garbage", GARBAGE)
@pytest.mark.parametrize("proxies", [0, 1, 2])
def test_garbage_gives_the_peer_or_none_never_an_error(settings, garbage, proxies):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_ip(request_with("10.0.0.1", garbage)) == "10.0.0.1"
    assert client_ip(request_with(garbage, garbage)) is None
    assert client_ip(request_with(garbage, f"{garbage}, {garbage}")) is None


def test_many_hops(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_with("10.0.0.1", ", ".join(["1.1.1.1"] * 5000 + ["8.8.8.8"]))) == (
        "8.8.8.8"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("forwarded", ["x", "unknown", "1.2.3.4:5678", "", "::ffff:1.2.3.4"])
def test_audit_never_raises_on_a_bad_address(settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 1
    event = audit(
        action="accounts.sign_in_failed", request=request_with("not-an-address", forwarded)
    )
    event.refresh_from_db()
    assert event.ip_address in {None, "1.2.3.4", "::ffff:1.2.3.4"}


@pytest.mark.django_db
def test_a_changing_header_does_not_escape_the_sign_in_failure_limit(client, settings):
    """30 failures per address in 15 minutes: with a forged header on every request the
    31st is still refused for the address (it used to get a fresh counter each time)."""
    from employment_records.tests.factories import national_id_from

    settings.TRUSTED_PROXY_COUNT = 0
    settings.SMS_BACKEND = "locmem"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "client-address-tests",
        }
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    client.cookies["django_language"] = "en"
    for index in range(31):
        response = client.post(
            "/accounts/login/",
            # Different IDs, so no single ID is locked: only the address limit can stop this.
            {"national_id": national_id_from(index), "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{index}",
        )
    assert response.status_code < 500
    assert "Too many attempts from your network" in response.content.decode()
    stored = set(
        AuditEvent.objects.filter(action="accounts.sign_in_failed").values_list(
            "ip_address", flat=True
        )
    )
    assert stored == {"127.0.0.1"}  # the peer, never the forged value
    cache.clear()


@pytest.mark.django_db
@pytest.mark.parametrize("forwarded", ["x", "unknown", "1.2.3.4:5678"])
def test_a_bad_header_on_a_failed_sign_in_is_a_4xx_and_counts(client, settings, forwarded):
    """On PostgreSQL a non-address used to make audit() raise inside record_sign_in_failure:
    a 500, and the rollback kept the failure count at one."""
    from accounts.models import SignInGuard
    from accounts.tests.factories import UserFactory

    settings.TRUSTED_PROXY_COUNT = 1
    settings.SMS_BACKEND = "locmem"
    user = UserFactory(with_employee=True, mobile="+966551234534")
    client.raise_request_exception = False
    for _ in range(2):
        response = client.post(
            "/accounts/login/",
            {"national_id": user.username, "password": "not the password"},
            HTTP_X_FORWARDED_FOR=forwarded,
        )
        assert response.status_code == 400
    assert SignInGuard.objects.get(national_id=user.username).consecutive_failures == 2

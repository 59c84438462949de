"""Every main page a signed-in person opens carries the security headers and
`Cache-Control: no-store`, under production-like settings (DEBUG off, HTTPS on behind the
proxy). The pages are found by walking the URL resolver, so a new service's pages are covered.

`Cache-Control: no-store` comes from accounts.middleware.NoStoreWhenSignedInMiddleware."""

import re

import pytest
from django.urls import URLResolver, get_resolver
from django.utils import timezone

from accounts.tests.factories import UserFactory, grant_all, make_hr_specialist, sign_in_verified
from employment_records.tests.factories import EntityFactory

pytestmark = pytest.mark.django_db

# Not pages a person reads: probes, language switch, sign-in machinery, the simulator.
NOT_A_PAGE = re.compile(r"^(healthz|readyz|i18n/|oidc/|nafath/|accounts/logout/|static/)")


def plain_routes(resolver=None, prefix=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        text = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if text in ("hr/", "admin/"):
                yield text  # the consoles: their index page
                continue
            yield from plain_routes(pattern, text)
        elif "<" not in text and "(?P" not in text:
            yield text


def pages():
    return sorted({"/" + route.lstrip("^").rstrip("$") for route in plain_routes()} - {"/"}) + ["/"]


@pytest.fixture
def production_like(settings):
    settings.DEBUG = False
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SMS_BACKEND = "locmem"


def check_headers(response) -> list[str]:
    problems = []
    csp = response.get("Content-Security-Policy", "")
    if "frame-ancestors 'none'" not in csp or "script-src 'self'" not in csp:
        problems.append(f"CSP {csp!r}")
    if "'unsafe-inline'" in csp:
        problems.append("CSP allows inline code")
    expected = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
        "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
    }
    for header, value in expected.items():
        if response.get(header) != value:
            problems.append(f"{header}: {response.get(header)!r}")
    if "no-store" not in response.get("Cache-Control", ""):
        problems.append(f"Cache-Control: {response.get('Cache-Control')!r}")
    return problems


def sweep(client, paths) -> tuple[list[str], int]:
    failures, checked = [], 0
    for path in paths:
        if NOT_A_PAGE.match(path.lstrip("/")):
            continue
        response = client.get(path, secure=True, HTTP_X_FORWARDED_PROTO="https")
        if response.status_code != 200:
            continue  # a redirect or a refusal: not a page this person reads
        checked += 1
        failures += [f"{path}: {problem}" for problem in check_headers(response)]
    return failures, checked


def test_an_employees_pages_carry_the_security_headers_and_no_store(client, production_like):
    user = UserFactory(with_employee=True, nafath_verified_at=timezone.now())
    grant_all(user.employee)
    sign_in_verified(client, user)
    failures, checked = sweep(client, pages())
    assert checked >= 8, f"only {checked} pages answered 200"
    assert not failures, "\n".join(failures)


def test_the_consoles_carry_them_too(client, production_like):
    specialist = make_hr_specialist(EntityFactory())
    sign_in_verified(client, specialist)
    failures, checked = sweep(client, ["/hr/", "/hr/employment_records/employee/"])
    ministry = UserFactory(is_staff=True, is_superuser=True)
    sign_in_verified(client, ministry)
    more, more_checked = sweep(client, ["/admin/", "/admin/accounts/user/"])
    assert checked + more_checked == 4
    assert not failures + more, "\n".join(failures + more)


def test_a_visitors_pages_are_not_marked_no_store_but_carry_the_rest(client, production_like):
    response = client.get("/", secure=True, HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    problems = check_headers(response)
    assert problems == [f"Cache-Control: {response.get('Cache-Control')!r}"]


def test_plain_http_is_redirected_to_https(client, production_like):
    response = client.get("/accounts/login/")
    assert response.status_code == 301 and response["Location"].startswith("https://")

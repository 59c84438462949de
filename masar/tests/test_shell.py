"""The shell: dashboard, language and direction, error pages, health probes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import grant_all
from core.catalogue import SERVICES, ServiceCode

pytestmark = pytest.mark.django_db


def test_the_default_language_is_arabic_right_to_left(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b'<html lang="ar" dir="rtl">' in response.content


def test_the_language_switch_returns_to_the_same_page(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/?x=1"})
    assert response.status_code == 302
    assert response["Location"] == "/?x=1"
    page = client.get("/?x=1")
    assert b'<html lang="en" dir="ltr">' in page.content
    client.post(reverse("set_language"), {"language": "ar", "next": "/"})
    assert b'<html lang="ar" dir="rtl">' in client.get("/").content


def test_the_language_switch_refuses_other_sites(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_dashboard_shows_open_services_and_the_reason_for_the_closed_one(client, employee_user):
    client.force_login(employee_user)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode()
    assert "Grievances" in text
    assert "needs an identity verified by Nafath" in text
    assert text.count("is-open") == 5


def test_dashboard_says_coming_soon_for_an_allowed_service_not_yet_built(client, employee_user):
    client.force_login(employee_user)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    def card(code: str) -> str:
        return page.split(f'id="service-{code}"', 1)[1].split("</article>", 1)[0]

    my_data, promotions = card(ServiceCode.EMPLOYMENT_DATA), card(ServiceCode.PROMOTIONS)
    assert "Available" in my_data and "Open" in my_data
    assert "Available" in promotions
    # Every service is built now: no card says "coming soon" any more.
    assert all(service.url for service in SERVICES)
    assert "Coming soon" not in page


def test_dashboard_explains_nationality_refusal_in_arabic(client, employee_user):
    employee_user.employee.nationality = "EG"
    employee_user.employee.save()
    client.force_login(employee_user)
    text = client.get("/").content.decode()
    # My employment data names no nationality; the other five are refused, each reason once.
    assert text.count("is-closed") == 5
    assert text.count("الجنسية السعودية") == 1
    assert 'href="#why-saudi"' in text and 'id="why-saudi"' in text


def dashboard_queries(client, user) -> int:
    """Queries of the dashboard with nothing cached (the grants and the unread count are)."""
    from django.core.cache import cache

    client.force_login(user)
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    return len(captured)


def test_dashboard_costs_the_same_queries_for_1_or_50_grants(client, employee_user):
    employee = employee_user.employee
    employee.service_grants.all().delete()
    grant_all(employee, ["cv"])
    few = dashboard_queries(client, employee_user)
    for _ in range(49):
        employee.service_grants.create(
            service="cv", entity=employee.entity, revoked_at="2025-01-01T00:00:00Z"
        )
    assert employee.service_grants.count() == 50
    many = dashboard_queries(client, employee_user)
    assert few == many
    assert many <= 6


def test_a_closed_service_page_names_the_failed_condition(client, employee_user):
    from django.test import RequestFactory

    from core.catalogue import service_required

    @service_required("grievances")
    def view(request):
        raise AssertionError("the refused view must not run")

    request = RequestFactory().get("/grievances/")
    request.user = employee_user
    from django.utils import translation

    with translation.override("en"):
        response = view(request)
    assert response.status_code == 403
    assert b"Sign in with Nafath" in response.content


def test_not_found_page_is_bilingual_and_offers_a_way_back(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b'href="/"' in response.content
    english = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.content != english.content


def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_healthz_answers_without_touching_dependencies(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.json() == {"status": "ok"}


def test_readyz_is_ok_when_everything_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


def test_readyz_names_a_broken_database(client, monkeypatch):
    from django.db import OperationalError

    def refuse_connection(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(connection, "cursor", refuse_connection)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["database"]
    assert response.json()["checks"]["cache"] == "ok"


def test_service_pages_lead_back_to_the_services_first(client, employee_user):
    from django.utils import timezone

    employee_user.nafath_verified_at = timezone.now()
    employee_user.save()
    client.force_login(employee_user)
    for url, trail in (
        ("/my-data/record/", "My employment data"),
        ("/grievances/mine/", "Grievances"),
    ):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        crumbs = page.split('class="breadcrumbs"', 1)[1].split("</nav>", 1)[0]
        assert crumbs.index('<a href="/">Services</a>') < crumbs.index(trail)
        assert crumbs.count("Services") == 1

"""The relying party's configuration and edges: discovery or explicit endpoints, a provider that
is down, rate limits, and password sign-in untouched by the Nafath backend."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import authenticate

from accounts import oidc
from accounts.tests.factories import PASSWORD, UserFactory
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_and_empty_cache(client):
    from django.core.cache import cache

    cache.clear()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def explicit_provider(settings):
    """A provider configured without discovery (some providers publish none)."""
    settings.NAFATH_OIDC_ISSUER = "https://idp.example"
    settings.NAFATH_OIDC_AUTHORIZATION_ENDPOINT = "https://idp.example/authorize"
    settings.NAFATH_OIDC_TOKEN_ENDPOINT = "https://idp.example/token"
    settings.NAFATH_OIDC_JWKS_ENDPOINT = "https://idp.example/jwks"
    settings.NAFATH_OIDC_END_SESSION_ENDPOINT = "https://idp.example/logout"


def test_explicit_endpoints_need_no_discovery(client, explicit_provider, monkeypatch):
    monkeypatch.setattr(oidc, "_get_json", lambda url: pytest.fail(f"fetched {url}"))
    response = client.get("/oidc/start/", {"next": "/accounts/login/"})

    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == "https://idp.example/authorize"
    params = parse_qs(target.query)
    assert params["scope"] == ["openid national_id"]
    assert params["client_id"] == ["masar-portal"]
    assert params["redirect_uri"] == ["http://testserver/oidc/callback/"]
    assert params["code_challenge_method"] == ["S256"] and params["nonce"] and params["state"]
    assert params["ui_locales"] == ["en"]
    assert client.session["oidc_login_next"] == "/accounts/login/"


def test_a_provider_that_is_down_gets_a_clear_page_not_an_error(client, settings):
    settings.NAFATH_OIDC_ISSUER = "http://127.0.0.1:9/nafath"  # nothing listens on port 9
    settings.NAFATH_OIDC_TIMEOUT = 1
    response = client.get("/oidc/start/")

    assert response.status_code == 503
    assert "Nafath cannot be reached right now" in response.content.decode()


def test_discovery_for_another_issuer_is_refused(client, settings, monkeypatch):
    settings.NAFATH_OIDC_ISSUER = "https://idp.example"
    monkeypatch.setattr(oidc, "_get_json", lambda url: {"issuer": "https://evil.example"})
    response = client.get("/oidc/start/")
    assert response.status_code == 503


def test_discovery_is_fetched_once_and_cached(client, settings, monkeypatch):
    settings.NAFATH_OIDC_ISSUER = "https://idp.example"
    calls = []
    document = {
        "issuer": "https://idp.example",
        "authorization_endpoint": "https://idp.example/a",
        "token_endpoint": "https://idp.example/t",
        "jwks_uri": "https://idp.example/k",
    }
    monkeypatch.setattr(oidc, "_get_json", lambda url: calls.append(url) or document)
    client.get("/oidc/start/")
    client.get("/oidc/start/")
    assert calls == ["https://idp.example/.well-known/openid-configuration"]


def test_starting_is_rate_limited(client, explicit_provider):
    for _ in range(oidc.START_LIMIT):
        assert client.get("/oidc/start/").status_code == 302
    response = client.get("/oidc/start/")
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()


def test_a_callback_without_a_started_sign_in_is_refused(client):
    response = client.get("/oidc/callback/", {"code": "c", "state": "s"})
    assert response.status_code == 400
    assert AuditEvent.objects.get().changes == {"reason": "tampered_state"}


def test_an_error_from_the_provider_forgets_the_state(client, explicit_provider):
    state = parse_qs(urlsplit(client.get("/oidc/start/")["Location"]).query)["state"][0]
    refused = client.get("/oidc/callback/", {"error": "access_denied", "state": state})
    assert refused.status_code == 403
    assert "was not completed" in refused.content.decode()
    replay = client.get("/oidc/callback/", {"code": "c", "state": state})
    assert replay.status_code == 400  # the state cannot be used after the error


def test_password_sign_in_does_not_touch_the_provider(rf, settings, monkeypatch):
    settings.NAFATH_OIDC_ISSUER = "http://127.0.0.1:9/nafath"
    monkeypatch.setattr(oidc, "_get_json", lambda url: pytest.fail("the provider was contacted"))
    user = UserFactory()
    assert authenticate(rf.get("/"), username=user.username, password=PASSWORD) == user


def test_the_login_page_offers_nafath(client):
    page = client.get("/accounts/login/?next=/accounts/")
    html = page.content.decode()
    assert 'action="/oidc/start/"' in html and "Sign in with Nafath" in html
    assert 'name="next" value="/accounts/"' in html


def test_the_csp_allows_forms_to_continue_to_the_provider(settings):
    form_action = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"]
    assert "http://127.0.0.1:8000" in form_action  # the default issuer's origin


def test_a_state_without_a_code_is_refused_cleanly(client, explicit_provider):
    state = parse_qs(urlsplit(client.get("/oidc/start/")["Location"]).query)["state"][0]
    response = client.get("/oidc/callback/", {"state": state})
    assert response.status_code == 400
    assert "could not be verified" in response.content.decode()

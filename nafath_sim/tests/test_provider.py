"""The simulator as an OpenID Connect provider: discovery, keys, authorization with PKCE,
the token and userinfo endpoints, and Nafath's number matching states."""

import base64
import hashlib
import json
import re
import stat
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.utils import timezone
from jwcrypto import jwk, jwt

from employment_records.tests.factories import EmployeeFactory
from nafath_sim import services, testing
from nafath_sim.keys import signing_key
from nafath_sim.models import SignInRequest, Status

pytestmark = pytest.mark.django_db
nafath_key_file = testing.nafath_key_file  # fixture: one simulator key per session

CALLBACK = "http://127.0.0.1:8000/oidc/callback/"
VERIFIER = "v" * 64


@pytest.fixture(autouse=True)
def _own_key_and_empty_cache(settings, nafath_key_file):
    from django.core.cache import cache

    from nafath_sim.clients import register_portal_client

    cache.clear()  # rate-limit counters live there
    register_portal_client()  # its secret hashed with the tests' fast hasher
    settings.NAFATH_SIM_PRIVATE_KEY = ""
    settings.NAFATH_SIM_KEY_FILE = nafath_key_file


def challenge(verifier=VERIFIER) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_url(**overrides) -> str:
    params = {
        "response_type": "code",
        "client_id": "masar-portal",
        "redirect_uri": CALLBACK,
        "scope": "openid national_id",
        "state": "s1",
        "nonce": "n1",
        "code_challenge": challenge(),
        "code_challenge_method": "S256",
        **overrides,
    }
    return "/nafath/authorize/?" + urlencode({k: v for k, v in params.items() if v is not None})


def start(client, national_id) -> SignInRequest:
    response = client.post(authorize_url(), {"national_id": national_id})
    assert response.status_code == 302, response.content
    return SignInRequest.objects.get(reference=response["Location"].split("/")[-2])


def approved_code(client, employee) -> str:
    sign_in = start(client, employee.national_id)
    services.answer_in_app(
        reference=sign_in.reference,
        national_id=employee.national_id,
        picked=sign_in.number,
    )
    to_portal = client.get(f"/nafath/requests/{sign_in.reference}/")
    assert to_portal["Location"].startswith(CALLBACK)
    query = parse_qs(urlsplit(to_portal["Location"]).query)
    assert query["state"] == ["s1"]
    return query["code"][0]


def exchange(client, code, headers=None, **overrides):
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": CALLBACK,
        "code_verifier": VERIFIER,
        "client_id": "masar-portal",
        "client_secret": "masar-simulator-secret-change-me",
        **overrides,
    }
    data = {name: value for name, value in data.items() if value}
    return client.post("/nafath/token/", data, headers=headers or {})


# --- discovery and keys ---------------------------------------------------------------------


def test_discovery_names_every_endpoint_and_pkce(client):
    document = client.get("/nafath/.well-known/openid-configuration").json()
    assert document["issuer"] == "http://testserver/nafath"
    for name in ("authorization", "token", "userinfo", "end_session"):
        assert document[f"{name}_endpoint"].startswith("http://testserver/nafath/")
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert document["id_token_signing_alg_values_supported"] == ["RS256"]


def test_key_is_generated_once_private_to_its_owner_and_published_without_secrets(client, settings):
    keys = client.get("/nafath/jwks/").json()["keys"]
    assert len(keys) == 1 and keys[0]["alg"] == "RS256" and keys[0]["kid"]
    assert "d" not in keys[0] and "p" not in keys[0]
    mode = stat.S_IMODE((__import__("os").stat(settings.NAFATH_SIM_KEY_FILE)).st_mode)
    assert mode == 0o600
    assert client.get("/nafath/jwks/").json()["keys"][0]["kid"] == keys[0]["kid"]


def test_key_from_the_environment_wins(client, settings):
    key = jwk.JWK.generate(kty="RSA", size=2048)
    settings.NAFATH_SIM_PRIVATE_KEY = key.export_to_pem(private_key=True, password=None).decode()
    assert (
        client.get("/nafath/jwks/").json()["keys"][0]["n"] == key.export_public(as_dict=True)["n"]
    )


# --- authorization ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides", [{"client_id": "unknown"}, {"redirect_uri": "https://evil.example/cb"}]
)
def test_unknown_client_or_redirect_is_shown_never_redirected(client, overrides):
    response = client.get(authorize_url(**overrides), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "not registered with Nafath" in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"code_challenge": None}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"scope": "profile"}, "invalid_scope"),
        ({"response_type": "token"}, "unsupported_response_type"),
    ],
)
def test_pkce_s256_openid_and_the_code_flow_are_required(client, overrides, error):
    response = client.get(authorize_url(**overrides))
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["error"] == [error] and query["state"] == ["s1"]


def test_only_people_in_the_register_can_start(client):
    response = client.post(
        authorize_url(), {"national_id": "1000000008"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "not registered with Nafath" in response.content.decode()
    assert 'value="1000000008"' in response.content.decode()  # what was typed is kept
    assert not SignInRequest.objects.exists()


def test_eastern_arabic_digits_are_accepted(client):
    employee = EmployeeFactory()
    eastern = employee.national_id.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert start(client, eastern).national_id == employee.national_id


def test_starting_is_rate_limited_per_national_id(client):
    employee = EmployeeFactory()
    for _ in range(5):
        start(client, employee.national_id)
    response = client.post(
        authorize_url(),
        {"national_id": employee.national_id},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert SignInRequest.objects.count() == 5
    assert start(client, EmployeeFactory().national_id)  # someone else is not held up


def test_the_waiting_page_shows_the_number_and_a_countdown(client, django_assert_max_num_queries):
    sign_in = start(client, EmployeeFactory().national_id)
    with django_assert_max_num_queries(3):  # session, request, (polling) nothing more
        page = client.get(f"/nafath/requests/{sign_in.reference}/").content.decode()
    assert f'data-testid="nafath-number">{sign_in.number}<' in page
    assert "data-countdown=" in page and 'hx-trigger="every 2s"' in page
    assert len(sign_in.choices) == 3 and sign_in.number in sign_in.choices
    assert 10 <= sign_in.number <= 99


def test_another_browser_cannot_see_the_request(client):
    sign_in = start(client, EmployeeFactory().national_id)
    from django.test import Client

    assert Client().get(f"/nafath/requests/{sign_in.reference}/").status_code == 404


def test_polling_answers_nothing_while_waiting_then_the_final_state(client):
    employee = EmployeeFactory()
    sign_in = start(client, employee.national_id)
    url = f"/nafath/requests/{sign_in.reference}/"
    assert client.get(url, HTTP_HX_REQUEST="true").status_code == 204
    services.answer_in_app(
        reference=sign_in.reference, national_id=employee.national_id, picked=None
    )
    final = client.get(url, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    assert final.status_code == 286  # htmx: stop polling
    assert "The request was rejected" in final.content.decode()


def test_polling_sends_the_page_on_after_approval(client):
    employee = EmployeeFactory()
    sign_in = start(client, employee.national_id)
    services.answer_in_app(
        reference=sign_in.reference,
        national_id=employee.national_id,
        picked=sign_in.number,
    )
    polled = client.get(f"/nafath/requests/{sign_in.reference}/", HTTP_HX_REQUEST="true")
    assert polled["HX-Redirect"] == f"/nafath/requests/{sign_in.reference}/"


def test_expiry_is_final_even_if_the_right_number_comes_late(client):
    employee = EmployeeFactory()
    sign_in = start(client, employee.national_id)
    SignInRequest.objects.filter(pk=sign_in.pk).update(
        created_at=timezone.now() - timedelta(seconds=70),
        expires_at=timezone.now() - timedelta(seconds=10),
    )
    answered = services.answer_in_app(
        reference=sign_in.reference,
        national_id=employee.national_id,
        picked=sign_in.number,
    )
    assert answered.status == Status.EXPIRED


# --- the app --------------------------------------------------------------------------------------


def test_the_app_acts_only_on_its_owners_requests(client):
    mine, other = EmployeeFactory(), EmployeeFactory()
    sign_in = start(client, other.national_id)
    client.post("/nafath/app/", {"national_id": mine.national_id})
    response = client.post(f"/nafath/app/requests/{sign_in.reference}/", {"number": sign_in.number})
    assert response.status_code == 404
    sign_in.refresh_from_db()
    assert sign_in.status == Status.WAITING


def test_the_app_page_costs_a_constant_number_of_queries(client, django_assert_max_num_queries):
    employee = EmployeeFactory()
    sign_in = start(client, employee.national_id)
    authorization = services.AuthorizationRequest(
        client_id="masar-portal",
        redirect_uri=CALLBACK,
        scope="openid",
        state="s",
        nonce="n",
        code_challenge=challenge(),
    )
    for _ in range(7):
        services.start_sign_in(
            national_id=employee.national_id,
            authorization=authorization,
            session_key=sign_in.session_key,
        )
    client.post("/nafath/app/", {"national_id": employee.national_id})
    # One more than before: the names of the requesting services, in one query.
    with django_assert_max_num_queries(5):
        page = client.get("/nafath/app/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.content.decode().count('name="reject"') == 8
    # Each request names the service that asks (the real app does).
    assert page.content.decode().count("Masar portal asks you to sign in") == 8


def test_an_answer_is_final(client):
    employee = EmployeeFactory()
    sign_in = start(client, employee.national_id)
    client.post("/nafath/app/", {"national_id": employee.national_id})
    wrong = next(n for n in sign_in.choices if n != sign_in.number)
    client.post(f"/nafath/app/requests/{sign_in.reference}/", {"number": wrong})
    client.post(f"/nafath/app/requests/{sign_in.reference}/", {"number": sign_in.number})
    sign_in.refresh_from_db()
    assert sign_in.status == Status.REJECTED


# --- token and userinfo ---------------------------------------------------------------------


def test_the_code_gives_a_signed_id_token_with_the_national_id(client):
    employee = EmployeeFactory()
    response = exchange(client, approved_code(client, employee))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    body = response.json()
    token = jwt.JWT(jwt=body["id_token"], key=signing_key(), expected_type="JWS")
    claims = json.loads(token.claims)
    assert claims["national_id"] == employee.national_id
    assert claims["iss"] == "http://testserver/nafath" and claims["aud"] == "masar-portal"
    assert claims["nonce"] == "n1" and claims["sub"] != employee.national_id
    assert token.token.jose_header["kid"] == signing_key().get("kid")
    userinfo = client.get("/nafath/userinfo/", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    assert userinfo.json() == {
        "sub": claims["sub"],
        "national_id": employee.national_id,
    }


def test_basic_client_authentication_works(client):
    code = approved_code(client, EmployeeFactory())
    credentials = base64.b64encode(b"masar-portal:masar-simulator-secret-change-me").decode()
    response = exchange(
        client,
        code,
        client_id="",
        client_secret="",
        headers={"Authorization": f"Basic {credentials}"},
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("overrides", "status", "error"),
    [
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"code_verifier": "x" * 64}, 400, "invalid_grant"),
        ({"code_verifier": ""}, 400, "invalid_grant"),
        (
            {"redirect_uri": "http://localhost:8000/oidc/callback/"},
            400,
            "invalid_grant",
        ),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
    ],
)
def test_token_endpoint_refusals(client, overrides, status, error):
    code = approved_code(client, EmployeeFactory())
    response = exchange(client, code, **overrides)
    assert response.status_code == status and response.json()["error"] == error


def test_a_code_works_once_and_not_after_a_minute(client):
    employee = EmployeeFactory()
    code = approved_code(client, employee)
    assert exchange(client, code).status_code == 200
    assert exchange(client, code).json()["error"] == "invalid_grant"

    late = approved_code(client, employee)
    SignInRequest.objects.filter(code_used_at__isnull=True).update(
        code_issued_at=timezone.now() - timedelta(seconds=61)
    )
    assert exchange(client, late).json()["error"] == "invalid_grant"


def test_userinfo_needs_a_valid_token(client):
    response = client.get("/nafath/userinfo/", HTTP_AUTHORIZATION="Bearer nonsense")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


# --- end session and registration ----------------------------------------------------------------


def test_end_session_returns_only_to_registered_addresses(client):
    back = client.get(
        "/nafath/logout/",
        {
            "client_id": "masar-portal",
            "post_logout_redirect_uri": "http://127.0.0.1:8000/",
        },
    )
    assert back.status_code == 302 and back["Location"] == "http://127.0.0.1:8000/"
    stay = client.get(
        "/nafath/logout/",
        {
            "client_id": "masar-portal",
            "post_logout_redirect_uri": "https://evil.example/",
        },
    )
    assert stay.status_code == 200


def test_the_portal_client_is_registered_idempotently_with_a_hashed_secret():
    from oauth2_provider.models import Application

    from nafath_sim.clients import register_portal_client

    register_portal_client()
    register_portal_client(extra_redirect_uris=("http://127.0.0.1:9999/oidc/callback/",))
    application = Application.objects.get(client_id="masar-portal")
    assert Application.objects.count() == 1
    assert application.client_secret != "masar-simulator-secret-change-me"
    assert application.redirect_uri_allowed("http://127.0.0.1:9999/oidc/callback/")


def test_try_again_starts_a_new_request_for_the_same_sign_in(client):
    employee = EmployeeFactory()
    first = start(client, employee.national_id)
    services.answer_in_app(reference=first.reference, national_id=employee.national_id, picked=None)
    page = client.get(f"/nafath/requests/{first.reference}/").content.decode()
    retry = re.search(r'href="(/nafath/authorize/\?[^"]+)"', page).group(1).replace("&amp;", "&")

    assert client.get(retry).status_code == 200
    again = client.post(retry, {"national_id": employee.national_id})
    second = SignInRequest.objects.exclude(pk=first.pk).get()
    assert again["Location"] == f"/nafath/requests/{second.reference}/"
    assert (second.state, second.nonce, second.code_challenge) == (
        first.state,
        first.nonce,
        first.code_challenge,
    )

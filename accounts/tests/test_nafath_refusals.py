"""Every way a Nafath callback can be wrong ends on a clear refusal page and creates nothing.

The portal runs in the test client. The provider's discovery and JWKS come over real HTTP from
a small server publishing the simulator's key (no database behind it, so these tests need no
live server and no flush); the token endpoint's answer is replaced by ID tokens crafted here.
The whole flow against the simulator itself is in test_nafath_flow.py.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from jwcrypto import jwk, jwt

from accounts.models import User
from accounts.oidc import NafathBackend
from core.models import AuditEvent
from employment_records.tests.factories import EmployeeFactory
from nafath_sim import testing
from nafath_sim.keys import public_jwks, signing_key

pytestmark = pytest.mark.django_db
nafath_key_file = testing.nafath_key_file  # fixture: one simulator key per session


@pytest.fixture
def provider_server(settings, nafath_key_file):
    """Discovery and JWKS over HTTP, signing with the simulator's key; yields the issuer."""
    from django.core.cache import cache

    cache.clear()
    settings.NAFATH_SIM_PRIVATE_KEY = ""
    settings.NAFATH_SIM_KEY_FILE = nafath_key_file

    class Provider(BaseHTTPRequestHandler):
        def do_GET(self):
            issuer = f"http://127.0.0.1:{self.server.server_port}/nafath"
            documents = {
                "/nafath/.well-known/openid-configuration": {
                    "issuer": issuer,
                    "authorization_endpoint": f"{issuer}/authorize/",
                    "token_endpoint": f"{issuer}/token/",
                    "jwks_uri": f"{issuer}/jwks/",
                    "userinfo_endpoint": f"{issuer}/userinfo/",
                },
                "/nafath/jwks/": public_jwks(),
            }
            body = json.dumps(documents.get(self.path, {})).encode()
            self.send_response(200 if self.path in documents else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    settings.NAFATH_OIDC_ISSUER = f"http://127.0.0.1:{server.server_port}/nafath"
    yield settings.NAFATH_OIDC_ISSUER
    server.shutdown()
    server.server_close()


def mint(claims: dict, *, key=None, kid=None) -> str:
    key = key or signing_key()
    token = jwt.JWT(
        header={"alg": "RS256", "kid": kid or key.get("kid")}, claims=json.dumps(claims)
    )
    token.make_signed_token(key)
    return token.serialize()


@pytest.fixture
def started(client, provider_server):
    """A sign-in started at the portal: the state and nonce the provider was given."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.get("/oidc/start/")
    params = parse_qs(urlsplit(response["Location"]).query)
    assert params["code_challenge_method"] == ["S256"] and params["code_challenge"]
    return {
        "state": params["state"][0],
        "nonce": params["nonce"][0],
        "issuer": provider_server,
    }


def good_claims(started, national_id) -> dict:
    now = int(time.time())
    return {
        "iss": started["issuer"],
        "aud": "masar-portal",
        "sub": "subject-1",
        "national_id": national_id,
        "nonce": started["nonce"],
        "iat": now,
        "exp": now + 300,
    }


def callback_with(client, monkeypatch, started, id_token, *, state=None):
    monkeypatch.setattr(
        NafathBackend,
        "get_token",
        lambda self, payload: {"id_token": id_token, "access_token": "x"},
    )
    # Userinfo would need the simulator's real access token: the ID token's claims stand in.
    monkeypatch.setattr(NafathBackend, "get_userinfo", lambda self, at, it, payload: payload)
    return client.get("/oidc/callback/", {"code": "c", "state": state or started["state"]})


def assert_refused(response, reason):
    assert response.status_code in (400, 403)
    assert "Sign-in with Nafath not completed" in response.content.decode()
    assert not User.objects.exists()
    assert "_auth_user_id" not in response.wsgi_request.session
    event = AuditEvent.objects.get(action="accounts.nafath_sign_in_refused")
    assert event.changes["reason"] == reason
    assert "eyJ" not in json.dumps(event.changes)  # never a token in the audit log


def test_a_good_token_signs_in_so_the_refusals_below_are_meaningful(client, monkeypatch, started):
    employee = EmployeeFactory()
    response = callback_with(
        client, monkeypatch, started, mint(good_claims(started, employee.national_id))
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert User.objects.get().username == employee.national_id
    assert client.session["auth_method"] == "nafath"


def test_tampered_state(client, monkeypatch, started):
    employee = EmployeeFactory()
    token = mint(good_claims(started, employee.national_id))
    assert_refused(
        callback_with(client, monkeypatch, started, token, state="forged"),
        "tampered_state",
    )


def test_wrong_nonce(client, monkeypatch, started):
    employee = EmployeeFactory()
    claims = {**good_claims(started, employee.national_id), "nonce": "replayed"}
    assert_refused(callback_with(client, monkeypatch, started, mint(claims)), "wrong_nonce")


def test_token_signed_by_another_key(client, monkeypatch, started):
    employee = EmployeeFactory()
    other = jwk.JWK.generate(kty="RSA", size=2048)
    token = mint(
        good_claims(started, employee.national_id),
        key=other,
        kid=signing_key().get("kid"),
    )
    assert_refused(callback_with(client, monkeypatch, started, token), "bad_signature")


def test_token_with_a_key_id_the_provider_does_not_publish(client, monkeypatch, started):
    employee = EmployeeFactory()
    other = jwk.JWK.generate(kty="RSA", size=2048, kid="attacker")
    token = mint(good_claims(started, employee.national_id), key=other)
    assert_refused(callback_with(client, monkeypatch, started, token), "unknown_signing_key")


def test_wrong_audience(client, monkeypatch, started):
    employee = EmployeeFactory()
    claims = {**good_claims(started, employee.national_id), "aud": "another-service"}
    assert_refused(callback_with(client, monkeypatch, started, mint(claims)), "wrong_audience")


def test_wrong_issuer(client, monkeypatch, started):
    employee = EmployeeFactory()
    claims = {
        **good_claims(started, employee.national_id),
        "iss": "https://evil.example/nafath",
    }
    assert_refused(callback_with(client, monkeypatch, started, mint(claims)), "wrong_issuer")


def test_expired_token_beyond_the_clock_skew_leeway(client, monkeypatch, started, settings):
    employee = EmployeeFactory()
    now = int(time.time())
    claims = {
        **good_claims(started, employee.national_id),
        "iat": now - 400,
        "exp": now - settings.NAFATH_OIDC_LEEWAY - 5,
    }
    assert_refused(callback_with(client, monkeypatch, started, mint(claims)), "expired_token")


def test_small_clock_skew_is_tolerated(client, monkeypatch, started, settings):
    employee = EmployeeFactory()
    now = int(time.time())
    claims = {**good_claims(started, employee.national_id), "exp": now - 5}
    response = callback_with(client, monkeypatch, started, mint(claims))
    assert response.status_code == 302
    assert User.objects.filter(username=employee.national_id).exists()


def test_national_id_without_employee_record_gets_a_clear_refusal_page(
    client, monkeypatch, started
):
    response = callback_with(client, monkeypatch, started, mint(good_claims(started, "1000000008")))
    assert_refused(response, "unknown_person")
    assert "no government employee record" in response.content.decode()
    event = AuditEvent.objects.get(action="accounts.nafath_sign_in_refused")
    assert event.changes["national_id"] == "••••••0008"


def test_unknown_kid_refreshes_the_cached_jwks_once(
    client, monkeypatch, started, settings, tmp_path
):
    """The provider rotated its key after the portal cached the JWKS: one refetch, then it works."""
    from accounts import oidc

    calls = []
    real_get_json = oidc._get_json
    monkeypatch.setattr(oidc, "_get_json", lambda url: calls.append(url) or real_get_json(url))
    employee = EmployeeFactory()
    oidc.jwks(oidc.provider().jwks_uri)  # cached with the old key
    settings.NAFATH_SIM_KEY_FILE = str(tmp_path / "rotated.pem")
    token = mint(good_claims(started, employee.national_id))

    response = callback_with(client, monkeypatch, started, token)

    assert response.status_code == 302
    assert sum(url.endswith("/jwks/") for url in calls) == 2


def test_nafath_replaces_a_password_session_with_a_fresh_strong_one(client, monkeypatch, started):
    from accounts.tests.factories import UserFactory

    user = UserFactory(with_employee=True)
    client.force_login(user)
    session = client.session
    session["auth_method"] = "password_otp"
    session.save()
    old_key = session.session_key

    claims = good_claims(started, user.username)
    response = callback_with(client, monkeypatch, started, mint(claims))

    assert response.status_code == 302
    assert client.session.session_key != old_key  # rotated at sign-in
    assert client.session["auth_method"] == "nafath"
    event = AuditEvent.objects.get(action="accounts.nafath_sign_in")
    assert event.actor == user and event.entity_id == user.employee.entity_id
    assert event.changes == {"acr": "", "amr": []}


def test_userinfo_about_another_subject_is_refused(client, monkeypatch, started):
    """OpenID Connect Core 5.3.2: the userinfo `sub` must be the ID token's."""
    import requests

    from accounts import oidc

    employee = EmployeeFactory()
    real_get = requests.get

    class OtherPerson:
        status_code = 200

        def __init__(self):
            self.headers = {"content-type": "application/json"}

        def raise_for_status(self):
            pass

        def json(self):
            return {"sub": "someone-else", "national_id": employee.national_id}

    def fake_get(url, **kwargs):
        return OtherPerson() if url.endswith("/userinfo/") else real_get(url, **kwargs)

    monkeypatch.setattr(oidc.requests, "get", fake_get)
    token = mint(good_claims(started, employee.national_id))
    monkeypatch.setattr(
        NafathBackend,
        "get_token",
        lambda self, payload: {"id_token": token, "access_token": "x"},
    )

    response = client.get("/oidc/callback/", {"code": "c", "state": started["state"]})

    assert_refused(response, "invalid_token")


def test_a_subject_linked_to_another_account_is_refused(client, monkeypatch, started):
    from django.utils import timezone

    from accounts.models import NafathIdentity
    from accounts.tests.factories import UserFactory

    owner = UserFactory(with_employee=True)
    NafathIdentity.objects.create(
        user=owner,
        issuer=started["issuer"],
        subject="subject-1",
        last_signed_in_at=timezone.now(),
    )
    someone_else = EmployeeFactory()
    claims = good_claims(started, someone_else.national_id)  # sub "subject-1" again

    response = callback_with(client, monkeypatch, started, mint(claims))

    assert response.status_code == 403
    assert "linked to a different account" in response.content.decode()
    assert User.objects.get() == owner
    assert "_auth_user_id" not in client.session


def test_a_race_between_two_first_sign_ins_gives_one_account():
    from accounts.nafath_services import _create_account

    employee = EmployeeFactory()
    first = _create_account(employee.national_id)
    assert _create_account(employee.national_id) == first
    assert not first.has_usable_password()


def test_a_second_subject_for_a_linked_national_id_is_refused_then_relinked(
    client, monkeypatch, started
):
    """Issue 14, item 10: a new `sub` for a national ID already linked at this issuer gave a
    500 (IntegrityError). Now a refusal page and an audit event; the ministry unlinks the old
    identity (audited) and the next sign-in links the new subject."""
    from django.contrib.auth import SESSION_KEY
    from django.utils import timezone

    from accounts.models import NafathIdentity
    from accounts.tests.factories import UserFactory, sign_in_verified

    owner = UserFactory(with_employee=True)
    NafathIdentity.objects.create(
        user=owner,
        issuer=started["issuer"],
        subject="old-subject",
        last_signed_in_at=timezone.now(),
    )
    claims = good_claims(started, owner.username)  # sub "subject-1": a second subject

    response = callback_with(client, monkeypatch, started, mint(claims))

    assert response.status_code == 403
    assert "already linked to a different Nafath identity" in response.content.decode()
    assert SESSION_KEY not in client.session
    event = AuditEvent.objects.get(action="accounts.nafath_sign_in_refused")
    assert event.changes["reason"] == "subject_conflict"
    assert NafathIdentity.objects.get().subject == "old-subject"

    # The ministry's help desk unlinks the old identity in /admin/ (an audited action).
    staff = UserFactory(is_staff=True, is_superuser=True)
    desk = client.__class__()
    sign_in_verified(desk, staff)
    desk.cookies["django_language"] = "en"
    changelist = "/admin/accounts/nafathidentity/"
    assert desk.get(changelist).status_code == 200
    identity = NafathIdentity.objects.get()
    response = desk.post(
        changelist, {"action": "unlink", "_selected_action": [identity.pk]}, follow=True
    )
    assert "1 Nafath identity unlinked." in response.content.decode()
    unlinked = AuditEvent.objects.get(action="accounts.nafath_identity_unlinked")
    assert unlinked.actor == staff and unlinked.subject_id == str(owner.pk)
    assert not NafathIdentity.objects.exists()

    # The person signs in with Nafath again: the new subject is linked to their account.
    started_again = client.get("/oidc/start/")
    params = parse_qs(urlsplit(started_again["Location"]).query)
    again = {**started, "state": params["state"][0], "nonce": params["nonce"][0]}
    response = callback_with(client, monkeypatch, again, mint(good_claims(again, owner.username)))
    assert response.status_code == 302
    assert NafathIdentity.objects.get().subject == "subject-1"
    assert client.session[SESSION_KEY] == str(owner.pk)

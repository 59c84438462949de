"""Sign-in with Nafath: an OpenID Connect relying party on mozilla-django-oidc.

Authorization code flow with PKCE (S256), state and nonce. What mozilla-django-oidc leaves out
is done here (STACK.md): discovery, a cached JWKS refreshed once on an unknown `kid`, the issuer
and audience checks, a small clock-skew leeway, and matching people by the national ID claim
and `sub` instead of e-mail. Configuration is read at request time from the NAFATH_OIDC_*
settings, so the same code works against the simulator and any compliant provider.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import auth
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from core.audit import client_ip
from core.hr_admin import mark_strong_sign_in
from core.ratelimit import resilient_cache as cache
from core.validators import normalise_national_id

from .backends import CachedModelBackend
from .nafath_services import (
    NafathAssertion,
    NafathRefused,
    do_nafath_sign_in,
    record_nafath_refusal,
    refusal_message,
)

logger = logging.getLogger(__name__)

AUTH_METHOD = "nafath"
START_LIMIT, START_WINDOW = 20, 60  # sign-in starts per client address per minute


# --- The provider's configuration ------------------------------------------------------------


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str
    end_session_endpoint: str


def _cache_key(kind: str, url: str) -> str:
    return f"nafath:{kind}:{hashlib.sha256(url.encode()).hexdigest()[:32]}"


def _get_json(url: str) -> dict:
    response = requests.get(url, timeout=settings.NAFATH_OIDC_TIMEOUT)
    response.raise_for_status()
    return response.json()


def discovery_document(issuer: str) -> dict:
    """<issuer>/.well-known/openid-configuration, cached; its issuer must be ours exactly."""
    key = _cache_key("discovery", issuer)
    document = cache.get(key)
    if document is None:
        document = _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
        if document.get("issuer") != issuer:
            raise NafathRefused("provider_misconfigured")
        cache.set(key, document, settings.NAFATH_OIDC_CACHE_SECONDS)
    return document


def provider() -> Provider:
    """The endpoints: explicit settings first, the rest from discovery (fetched only if needed)."""
    explicit = {
        "authorization_endpoint": settings.NAFATH_OIDC_AUTHORIZATION_ENDPOINT,
        "token_endpoint": settings.NAFATH_OIDC_TOKEN_ENDPOINT,
        "userinfo_endpoint": settings.NAFATH_OIDC_USERINFO_ENDPOINT,
        "jwks_uri": settings.NAFATH_OIDC_JWKS_ENDPOINT,
        "end_session_endpoint": settings.NAFATH_OIDC_END_SESSION_ENDPOINT,
    }
    required = ("authorization_endpoint", "token_endpoint", "jwks_uri")
    discovered: dict = {}
    if not all(explicit[name] for name in required) or not explicit["end_session_endpoint"]:
        try:
            discovered = discovery_document(settings.NAFATH_OIDC_ISSUER)
        except (requests.RequestException, ValueError) as error:
            if not all(explicit[name] for name in required):
                raise NafathRefused("provider_unavailable") from error
            # Configured by hand and publishing no discovery: do not ask again at every
            # request just for the optional end-session endpoint.
            cache.set(_cache_key("discovery", settings.NAFATH_OIDC_ISSUER), {}, 300)
    values = {name: value or discovered.get(name, "") for name, value in explicit.items()}
    if not all(values[name] for name in required):
        raise NafathRefused("provider_misconfigured")
    return Provider(issuer=settings.NAFATH_OIDC_ISSUER, **values)


def jwks(uri: str, *, refresh: bool = False) -> list[dict]:
    key = _cache_key("jwks", uri)
    keys = None if refresh else cache.get(key)
    if keys is None:
        document = _get_json(uri)
        keys = document.get("keys", []) if isinstance(document, dict) else []
        cache.set(key, keys, settings.NAFATH_OIDC_CACHE_SECONDS)
    return keys


def signing_key(uri: str, kid: str | None, alg: str):
    """The provider's public key for `kid`; the JWKS is fetched again once if it is unknown
    (the provider rotated its key), and never more per sign-in."""
    for refresh in (False, True):
        candidates = [
            k
            for k in jwks(uri, refresh=refresh)
            if isinstance(k, dict)
            and k.get("use", "sig") == "sig"
            and k.get("alg", alg) == alg
            and (kid is None or k.get("kid") == kid)
        ]
        if len(candidates) == 1:
            try:
                return jwt.PyJWK(candidates[0], algorithm=alg).key
            except jwt.PyJWTError as error:  # a key we cannot use (unknown type, bad values)
                raise NafathRefused("unknown_signing_key") from error
    raise NafathRefused("unknown_signing_key")


# --- The authentication backend ----------------------------------------------------------------


TOKEN_ERRORS = (
    (jwt.ExpiredSignatureError, "expired_token"),
    (jwt.InvalidAudienceError, "wrong_audience"),
    (jwt.InvalidIssuerError, "wrong_issuer"),
    (jwt.InvalidSignatureError, "bad_signature"),
    (jwt.PyJWTError, "invalid_token"),
)


class NafathBackend(OIDCAuthenticationBackend):
    """Answers only the callback's authenticate(request, nonce=..., code_verifier=...) call."""

    def __init__(self, *args, **kwargs):
        # Deliberately not super().__init__: Django builds a backend for every authenticate()
        # and get_user(), and the provider must not be contacted for a password sign-in.
        self.UserModel = auth.get_user_model()

    def get_settings(self, attr, *args):
        values = {
            "OIDC_OP_TOKEN_ENDPOINT": self.provider.token_endpoint,
            "OIDC_OP_USER_ENDPOINT": self.provider.userinfo_endpoint,
            "OIDC_OP_JWKS_ENDPOINT": self.provider.jwks_uri,
            "OIDC_RP_CLIENT_ID": settings.NAFATH_OIDC_CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": settings.NAFATH_OIDC_CLIENT_SECRET,
            "OIDC_TIMEOUT": settings.NAFATH_OIDC_TIMEOUT,
            "OIDC_TOKEN_USE_BASIC_AUTH": settings.NAFATH_OIDC_TOKEN_AUTH == "client_secret_basic",  # noqa: S105 (a method name)
        }
        return values[attr] if attr in values else import_from_settings(attr, *args)

    def get_user(self, user_id):
        # ModelBackend's (through the cache), not mozilla-django-oidc's: a deactivated account
        # loses its session.
        return CachedModelBackend.get_user(self, user_id)

    def authenticate(self, request, **kwargs):
        if request is None or "nonce" not in kwargs:
            return None  # a password sign-in, or anything else: not ours
        self.provider = provider()
        self.OIDC_RP_CLIENT_ID = settings.NAFATH_OIDC_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.NAFATH_OIDC_CLIENT_SECRET
        self.OIDC_OP_TOKEN_ENDPOINT = self.provider.token_endpoint
        self.OIDC_OP_USER_ENDPOINT = self.provider.userinfo_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = self.provider.jwks_uri
        try:
            return super().authenticate(request, **kwargs)
        except requests.HTTPError as error:
            logger.warning("Nafath token exchange failed: %s", error.response.status_code)
            raise NafathRefused("token_exchange_failed") from error
        except (requests.RequestException, ValueError) as error:
            raise NafathRefused("provider_unavailable") from error

    def verify_token(self, token, **kwargs):
        """Signature (RS256, the provider's JWKS), issuer, audience, expiry and nonce."""
        if not token:
            raise NafathRefused("invalid_token")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise NafathRefused("invalid_token") from error
        if header.get("alg") not in settings.NAFATH_OIDC_SIGN_ALGS:
            raise NafathRefused("invalid_token")
        key = signing_key(self.provider.jwks_uri, header.get("kid"), header["alg"])
        try:
            payload = jwt.decode(
                token,
                key,
                algorithms=settings.NAFATH_OIDC_SIGN_ALGS,
                audience=settings.NAFATH_OIDC_CLIENT_ID,
                issuer=self.provider.issuer,
                leeway=settings.NAFATH_OIDC_LEEWAY,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as error:
            reason = next(name for kind, name in TOKEN_ERRORS if isinstance(error, kind))
            raise NafathRefused(reason) from error
        audiences = payload["aud"] if isinstance(payload["aud"], list) else [payload["aud"]]
        if len(audiences) > 1 and payload.get("azp") != settings.NAFATH_OIDC_CLIENT_ID:
            raise NafathRefused("wrong_audience")
        if not kwargs.get("userinfo"):
            nonce = kwargs.get("nonce") or ""
            if not nonce or not hmac.compare_digest(str(payload.get("nonce", "")), nonce):
                raise NafathRefused("wrong_nonce")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims, completed by the userinfo endpoint when there is one.
        Userinfo about someone else (another `sub`) is refused (OpenID Connect Core 5.3.2)."""
        claims = dict(payload)
        if not self.provider.userinfo_endpoint:
            return claims
        response = requests.get(
            self.provider.userinfo_endpoint,
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=settings.NAFATH_OIDC_TIMEOUT,
        )
        response.raise_for_status()
        if response.headers.get("content-type", "").lower().startswith("application/jwt"):
            userinfo = self.verify_token(response.text, userinfo=True)
        else:
            userinfo = response.json()
        if not isinstance(userinfo, dict) or userinfo.get("sub") != payload.get("sub"):
            raise NafathRefused("invalid_token")
        return {**userinfo, **claims}

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        raw_national_id = str(claims.get(settings.NAFATH_OIDC_NATIONAL_ID_CLAIM, ""))
        try:
            national_id = normalise_national_id(raw_national_id)
        except ValidationError as error:
            raise NafathRefused("no_national_id") from error
        amr = claims.get("amr") or []
        assertion = NafathAssertion(
            issuer=self.provider.issuer,
            subject=str(claims["sub"]),
            national_id=national_id,
            acr=str(claims.get("acr", ""))[:255],
            amr=[str(value) for value in amr] if isinstance(amr, list) else [str(amr)],
        )
        try:
            return do_nafath_sign_in(assertion=assertion, request=self.request)
        except NafathRefused as refusal:
            refusal.national_id = national_id
            raise


# --- Views ---------------------------------------------------------------------------------------


def refuse(request, reason: str, *, national_id: str = "", status: int = 403):
    """The refusal page, with an audit row; nothing else is created."""
    logger.info("Nafath sign-in refused: %s", reason)
    record_nafath_refusal(reason=reason, national_id=national_id, request=request)
    return render(
        request,
        "accounts/nafath_refused.html",
        {"message": refusal_message(reason), "reason": reason},
        status=status,
    )


def _too_many_starts(request) -> bool:
    key = f"nafath:start:{client_ip(request)}"
    cache.add(key, 0, timeout=START_WINDOW)
    try:
        return cache.incr(key) > START_LIMIT
    except ValueError:
        return False


@method_decorator(never_cache, name="dispatch")
class NafathStartView(OIDCAuthenticationRequestView):
    """Sends the person to the provider (GET, from the "Sign in with Nafath" button)."""

    def __init__(self, *args, **kwargs):
        # Not mozilla-django-oidc's __init__, which reads the endpoint from settings at
        # startup: here it comes from discovery, per request (see get()).
        View.__init__(self, *args, **kwargs)

    def get_settings(self, attr, *args):
        if attr == "OIDC_RP_SCOPES":
            return settings.NAFATH_OIDC_SCOPES
        return import_from_settings(attr, *args)

    def get(self, request):
        if _too_many_starts(request):
            return refuse(request, "too_many_attempts", status=429)
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider().authorization_endpoint
        except NafathRefused as refusal:
            return refuse(request, refusal.reason, status=503)
        self.OIDC_RP_CLIENT_ID = settings.NAFATH_OIDC_CLIENT_ID
        return super().get(request)

    def get_extra_params(self, request):
        # The provider's pages in the person's language, where it supports ui_locales.
        return {"ui_locales": request.LANGUAGE_CODE}


@method_decorator(never_cache, name="dispatch")
class NafathCallbackView(OIDCAuthenticationCallbackView):
    """Back from the provider: verify, find or create the account, sign in, or explain."""

    def get(self, request):
        if request.GET.get("error"):
            # Rejected, expired or cancelled at the provider: forget the state (no replay).
            request.session.get("oidc_states", {}).pop(request.GET.get("state", ""), None)
            request.session.modified = True
            return refuse(request, "not_completed")
        if (
            "oidc_states" not in request.session
            or request.GET.get("state") not in request.session["oidc_states"]
        ):
            return refuse(request, "tampered_state", status=400)
        try:
            return super().get(request)
        except NafathRefused as refusal:
            return refuse(request, refusal.reason, national_id=refusal.national_id)
        except SuspiciousOperation:
            return refuse(request, "tampered_state", status=400)

    def login_failure(self):
        # Reached only for a malformed answer (a state without a code): our backend raises
        # NafathRefused for every other failure.
        return refuse(self.request, "invalid_response", status=400)

    def login_success(self):
        next_url = self.success_url
        # login() empties the session when someone else was signed in: keep the logout hint.
        id_token = self.request.session.get("oidc_id_token")
        auth.login(self.request, self.user, backend="accounts.oidc.NafathBackend")
        # login() keeps the key when the same person was already signed in (say, by password):
        # rotate anyway, the session now rests on a stronger authentication.
        self.request.session.cycle_key()
        mark_strong_sign_in(self.request, method=AUTH_METHOD)
        if id_token:
            self.request.session["oidc_id_token"] = id_token
        return HttpResponseRedirect(next_url)


class NafathSignOutView(View):
    """Ends the local session and, when the provider offers it, the provider's session too."""

    http_method_names = ("post",)

    def post(self, request):
        id_token = request.session.get("oidc_id_token")
        was_nafath = request.session.get("auth_method") == AUTH_METHOD
        auth.logout(request)
        from .views import confirm_signed_out

        confirm_signed_out(request)
        home = request.build_absolute_uri(resolve_url(settings.LOGOUT_REDIRECT_URL))
        if not was_nafath:
            return HttpResponseRedirect(home)
        try:
            end_session = provider().end_session_endpoint
        except NafathRefused:
            end_session = ""
        if not end_session:
            return HttpResponseRedirect(home)
        query = {
            "post_logout_redirect_uri": home,
            "client_id": settings.NAFATH_OIDC_CLIENT_ID,
        }
        if id_token:
            query["id_token_hint"] = id_token
        return HttpResponseRedirect(f"{end_session}?{urlencode(query)}")

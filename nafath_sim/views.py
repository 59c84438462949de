"""The simulated national identity provider: OpenID Connect endpoints and Nafath's number
matching (the waiting page in the browser, the "app" page standing in for the phone)."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote, urlencode

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from oauth2_provider.models import get_application_model

from . import services
from .forms import NationalIdForm
from .models import SignInRequest, Status
from .ratelimit import client_ip, too_many
from .registry import normalise
from .tokens import claims_for, id_token_for

APP_SESSION_KEY = "nafath_sim_app_national_id"
SCOPES = ["openid", "profile", "national_id"]


def issuer(request) -> str:
    return settings.NAFATH_SIM_ISSUER or request.build_absolute_uri(
        reverse("nafath_sim:home")
    ).rstrip("/")


# --- Discovery and keys -------------------------------------------------------------------


@require_GET
def home(request):
    return render(request, "nafath_sim/home.html")


@require_GET
def discovery(request):
    def url(name):
        return request.build_absolute_uri(reverse(f"nafath_sim:{name}"))

    return JsonResponse(
        {
            "issuer": issuer(request),
            "authorization_endpoint": url("authorize"),
            "token_endpoint": url("token"),
            "userinfo_endpoint": url("userinfo"),
            "jwks_uri": url("jwks"),
            "end_session_endpoint": url("end_session"),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": SCOPES,
            "claims_supported": [
                "sub",
                "national_id",
                "name",
                "given_name",
                "family_name",
                "acr",
                "amr",
            ],
            "token_endpoint_auth_methods_supported": [
                "client_secret_basic",
                "client_secret_post",
            ],
            "code_challenge_methods_supported": ["S256"],
            "acr_values_supported": ["urn:masar:nafath-simulator:number-matching"],
        }
    )


@require_GET
def jwks(request):
    from .keys import public_jwks

    return JsonResponse(public_jwks())


# --- Authorization: the national ID, then the number ----------------------------------------


def _authorization_from(params, request):
    """The validated authorization request, or a response explaining why not.

    A bad client or redirect URI is shown here (never redirected: it could be anyone's URL);
    any other error goes back to the relying party, as OpenID Connect requires.
    """
    application = (
        get_application_model().objects.filter(client_id=params.get("client_id", "")).first()
    )
    redirect_uri = params.get("redirect_uri", "")
    if application is None or not application.redirect_uri_allowed(redirect_uri):
        message = _("The service that sent you here is not registered with Nafath.")
        return None, render(request, "nafath_sim/problem.html", {"message": message}, status=400)
    state = params.get("state", "")

    def back_with(error, description):
        query = urlencode({"error": error, "error_description": description, "state": state})
        return None, HttpResponseRedirect(f"{redirect_uri}?{query}")

    if params.get("response_type") != "code":
        return back_with("unsupported_response_type", "only the authorization code flow")
    if "openid" not in params.get("scope", "").split():
        return back_with("invalid_scope", "the openid scope is required")
    if not params.get("code_challenge") or params.get("code_challenge_method") != "S256":
        return back_with("invalid_request", "PKCE with S256 is required")
    authorization = services.AuthorizationRequest(
        client_id=application.client_id,
        redirect_uri=redirect_uri,
        scope=params.get("scope", ""),
        state=state,
        nonce=params.get("nonce", ""),
        code_challenge=params["code_challenge"],
    )
    return authorization, None


@never_cache
@require_http_methods(["GET", "POST"])
def authorize(request):
    authorization, problem = _authorization_from(request.GET, request)
    if problem:
        return problem
    form = NationalIdForm(request.POST or None)
    if request.method == "POST":
        if _too_many_starts(request):
            form.add_error(None, _("Too many attempts. Wait a minute and try again."))
            return render(request, "nafath_sim/authorize.html", {"form": form}, status=429)
        if form.is_valid():
            if not request.session.session_key:
                request.session.save()
            sign_in = services.start_sign_in(
                national_id=form.cleaned_data["national_id"],
                authorization=authorization,
                session_key=request.session.session_key,
            )
            return HttpResponseRedirect(reverse("nafath_sim:wait", args=[sign_in.reference]))
        return render(request, "nafath_sim/authorize.html", {"form": form}, status=400)
    return render(request, "nafath_sim/authorize.html", {"form": form})


def _too_many_starts(request) -> bool:
    """Per address (many people share an office's address) and per national ID (each start
    notifies that person's phone: nobody may flood someone else's app)."""
    typed = normalise(request.POST.get("national_id", ""))[:10]
    return too_many(f"ip:{client_ip(request)}", limit=30, window=60) or (
        bool(typed) and too_many(f"id:{typed}", limit=5, window=60)
    )


def _own_sign_in(request, reference) -> SignInRequest:
    sign_in = SignInRequest.objects.filter(
        reference=reference, session_key=request.session.session_key or "-"
    ).first()
    if sign_in is None:
        raise Http404
    return services.expire_if_due(sign_in)


def _retry_url(sign_in) -> str:
    query = urlencode(
        {
            "response_type": "code",
            "client_id": sign_in.client_id,
            "redirect_uri": sign_in.redirect_uri,
            "scope": sign_in.scope,
            "state": sign_in.state,
            "nonce": sign_in.nonce,
            "code_challenge": sign_in.code_challenge,
            "code_challenge_method": "S256",
        }
    )
    return f"{reverse('nafath_sim:authorize')}?{query}"


@never_cache
@require_GET
def wait(request, reference):
    """The browser's page: the number to pick, then on to the service once approved."""
    sign_in = _own_sign_in(request, reference)
    polled = request.headers.get("HX-Request") == "true"
    if sign_in.status == Status.COMPLETED and sign_in.code_hash is None:
        if polled:  # a full page load follows and redirects (htmx cannot follow to another site)
            response = HttpResponse(status=204)
            response["HX-Redirect"] = request.path
            return response
        code = services.issue_code(sign_in=sign_in)
        query = urlencode({"code": code, "state": sign_in.state})
        return HttpResponseRedirect(f"{sign_in.redirect_uri}?{query}")
    context = {
        "sign_in": sign_in,
        "retry_url": _retry_url(sign_in),
        "Status": Status,
        "polled": polled,
    }
    if not polled:
        return render(request, "nafath_sim/wait.html", context)
    if sign_in.status == Status.WAITING:
        return HttpResponse(status=204)  # nothing changed: htmx swaps nothing, nothing re-announced
    # 286 tells htmx to stop polling: the request has reached its final state.
    return render(request, "nafath_sim/_wait_status.html", context, status=286)


@require_POST
def cancel(request, reference):
    """Back to the service without signing in (after a rejection, an expiry or a change of
    mind)."""
    sign_in = _own_sign_in(request, reference)
    SignInRequest.objects.filter(pk=sign_in.pk, status=Status.WAITING).update(
        status=Status.REJECTED
    )
    descriptions = {
        Status.EXPIRED: "the Nafath request expired",
        Status.REJECTED: "the Nafath request was rejected",
    }
    query = urlencode(
        {
            "error": "access_denied",
            "error_description": descriptions.get(sign_in.status, "the person cancelled"),
            "state": sign_in.state,
        }
    )
    return HttpResponseRedirect(f"{sign_in.redirect_uri}?{query}")


# --- The "Nafath app" (stands in for the phone) ------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def app(request):
    national_id = request.session.get(APP_SESSION_KEY)
    if request.method == "POST" and "forget" in request.POST:
        request.session.pop(APP_SESSION_KEY, None)
        return HttpResponseRedirect(reverse("nafath_sim:app"))
    form = NationalIdForm(request.POST or None, must_be_registered=False)
    if request.method == "POST":
        if form.is_valid():
            request.session[APP_SESSION_KEY] = form.cleaned_data["national_id"]
            return HttpResponseRedirect(reverse("nafath_sim:app"))
        return render(request, "nafath_sim/app.html", {"form": form}, status=400)
    if not national_id:
        return render(request, "nafath_sim/app.html", {"form": form})
    pending = [
        sign_in
        for sign_in in SignInRequest.objects.filter(
            national_id=national_id, status=Status.WAITING
        ).order_by("-created_at")[:10]
        if services.expire_if_due(sign_in).status == Status.WAITING
    ]
    # Name the service that asks, as the real app does.
    names = dict(
        get_application_model()
        .objects.filter(client_id__in={sign_in.client_id for sign_in in pending})
        .values_list("client_id", "name")
    )
    for sign_in in pending:
        sign_in.service_name = _(names.get(sign_in.client_id) or "A service")
    context = {"national_id": national_id, "pending": pending}
    polled = request.headers.get("HX-Request") == "true"
    return render(
        request,
        "nafath_sim/_app_pending.html" if polled else "nafath_sim/app.html",
        context,
    )


@require_POST
def answer(request, reference):
    national_id = request.session.get(APP_SESSION_KEY)
    if not national_id:
        return HttpResponseRedirect(reverse("nafath_sim:app"))
    picked = None if "reject" in request.POST else _number(request.POST.get("number"))
    try:
        sign_in = services.answer_in_app(
            reference=reference, national_id=national_id, picked=picked
        )
    except services.SimulatorError:
        raise Http404 from None
    return render(request, "nafath_sim/app_answered.html", {"sign_in": sign_in, "Status": Status})


def _number(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- Token, userinfo, end session ---------------------------------------------------------------


def _oauth_error(error: str, status: int = 400, description: str = "") -> JsonResponse:
    body = {"error": error}
    if description:
        body["error_description"] = description
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _client_credentials(request) -> tuple[str, str]:
    header = request.headers.get("Authorization", "")
    if header.startswith("Basic "):
        try:
            decoded = base64.b64decode(header[6:]).decode()
        except (binascii.Error, UnicodeDecodeError):
            return "", ""
        client_id, _sep, secret = decoded.partition(":")
        return unquote(client_id), unquote(secret)
    return request.POST.get("client_id", ""), request.POST.get("client_secret", "")


@csrf_exempt
@require_POST
def token(request):
    client_id, secret = _client_credentials(request)
    application = get_application_model().objects.filter(client_id=client_id).first()
    if application is None or not check_password(secret, application.client_secret):
        return _oauth_error("invalid_client", status=401)
    if request.POST.get("grant_type") != "authorization_code":
        return _oauth_error("unsupported_grant_type")
    try:
        sign_in, access_token = services.redeem_code(
            code=request.POST.get("code", ""),
            client_id=client_id,
            redirect_uri=request.POST.get("redirect_uri", ""),
            code_verifier=request.POST.get("code_verifier", ""),
        )
    except services.SimulatorError as error:
        return _oauth_error(error.oauth_error, description=error.message)
    response = JsonResponse(
        {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": int(services.ACCESS_TOKEN_LIFETIME.total_seconds()),
            "id_token": id_token_for(sign_in, issuer=issuer(request)),
            "scope": sign_in.scope,
        }
    )
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
def userinfo(request):
    header = request.headers.get("Authorization", "")
    sign_in = (
        services.sign_in_for_access_token(header[7:]) if header.startswith("Bearer ") else None
    )
    if sign_in is None:
        response = _oauth_error("invalid_token", status=401)
        response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return response
    return JsonResponse(claims_for(sign_in))


@never_cache
@require_GET
def end_session(request):
    """RP-initiated logout. The simulator keeps no sign-in session of its own, so this only
    confirms, and returns to a registered address when one is asked for."""
    target = request.GET.get("post_logout_redirect_uri", "")
    client_id = request.GET.get("client_id", "")
    application = get_application_model().objects.filter(client_id=client_id).first()
    if target and application is not None and application.post_logout_redirect_uri_allowed(target):
        state = request.GET.get("state")
        return HttpResponseRedirect(f"{target}?{urlencode({'state': state})}" if state else target)
    return render(request, "nafath_sim/signed_out.html")

"""The simulator's use cases: start a sign-in, answer it in the app, issue and redeem the code.

Each write happens in one transaction; rows being answered or redeemed are locked so a double
click or a replayed code cannot complete twice.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import SignInRequest, Status

CODE_LIFETIME = timedelta(seconds=60)
ACCESS_TOKEN_LIFETIME = timedelta(minutes=5)


class SimulatorError(Exception):
    """A refusal the person (or the relying party) is shown, with a translated message."""

    def __init__(self, message, *, oauth_error: str = "invalid_request"):
        super().__init__(str(message))
        self.message = message
        self.oauth_error = oauth_error


@dataclass(frozen=True)
class AuthorizationRequest:
    client_id: str
    redirect_uri: str
    scope: str
    state: str
    nonce: str
    code_challenge: str


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _two_digit_numbers(count: int) -> list[int]:
    numbers: list[int] = []
    while len(numbers) < count:
        candidate = 10 + secrets.randbelow(90)
        if candidate not in numbers:
            numbers.append(candidate)
    return numbers


def start_sign_in(
    *, national_id: str, authorization: AuthorizationRequest, session_key: str
) -> SignInRequest:
    """A new waiting request: one number for the browser, three (shuffled) for the app."""
    number, *decoys = _two_digit_numbers(3)
    choices = [number, *decoys]
    secrets.SystemRandom().shuffle(choices)
    now = timezone.now()
    return SignInRequest.objects.create(
        reference=secrets.token_urlsafe(32),
        national_id=national_id,
        number=number,
        choices=choices,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.NAFATH_SIM_REQUEST_TTL),
        session_key=session_key,
        client_id=authorization.client_id,
        redirect_uri=authorization.redirect_uri,
        scope=authorization.scope,
        state=authorization.state,
        nonce=authorization.nonce,
        code_challenge=authorization.code_challenge,
    )


def expire_if_due(sign_in: SignInRequest) -> SignInRequest:
    if sign_in.status == Status.WAITING and sign_in.expires_at <= timezone.now():
        SignInRequest.objects.filter(pk=sign_in.pk, status=Status.WAITING).update(
            status=Status.EXPIRED
        )
        sign_in.status = Status.EXPIRED
    return sign_in


def answer_in_app(*, reference: str, national_id: str, picked: int | None) -> SignInRequest:
    """The person picked a number (or None: they pressed Reject) on their phone."""
    with transaction.atomic():
        sign_in = (
            SignInRequest.objects.select_for_update()
            .filter(reference=reference, national_id=national_id)
            .first()
        )
        if sign_in is None:
            raise SimulatorError(_("This request is not yours or no longer exists."))
        expire_if_due(sign_in)
        if sign_in.status != Status.WAITING:
            return sign_in
        approved = picked is not None and picked == sign_in.number
        sign_in.status = Status.COMPLETED if approved else Status.REJECTED
        sign_in.answered_at = timezone.now()
        sign_in.save(update_fields=["status", "answered_at"])
    return sign_in


def issue_code(*, sign_in: SignInRequest) -> str:
    """The authorization code for an approved request, issued once."""
    code = secrets.token_urlsafe(32)
    with transaction.atomic():
        updated = SignInRequest.objects.filter(
            pk=sign_in.pk, status=Status.COMPLETED, code_hash__isnull=True
        ).update(code_hash=digest(code), code_issued_at=timezone.now())
    if not updated:
        raise SimulatorError(_("This sign-in has already been used. Start again from the portal."))
    return code


def pkce_matches(verifier: str, challenge: str) -> bool:
    computed = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    return hmac.compare_digest(computed.decode(), challenge)


def redeem_code(*, code: str, client_id: str, redirect_uri: str, code_verifier: str):
    """Exchange a code (once, within its lifetime, with the PKCE verifier) for an access token."""
    with transaction.atomic():
        sign_in = (
            SignInRequest.objects.select_for_update()
            .filter(code_hash=digest(code), status=Status.COMPLETED)
            .first()
        )
        if (
            sign_in is None
            or sign_in.code_used_at is not None
            or sign_in.code_issued_at + CODE_LIFETIME < timezone.now()
            or sign_in.client_id != client_id
            or sign_in.redirect_uri != redirect_uri
        ):
            raise SimulatorError("invalid or expired code", oauth_error="invalid_grant")
        if not code_verifier or not pkce_matches(code_verifier, sign_in.code_challenge):
            raise SimulatorError("PKCE verification failed", oauth_error="invalid_grant")
        access_token = secrets.token_urlsafe(32)
        sign_in.code_used_at = timezone.now()
        sign_in.access_token_hash = digest(access_token)
        sign_in.access_token_expires_at = timezone.now() + ACCESS_TOKEN_LIFETIME
        sign_in.save(
            update_fields=[
                "code_used_at",
                "access_token_hash",
                "access_token_expires_at",
            ]
        )
    return sign_in, access_token


def sign_in_for_access_token(access_token: str) -> SignInRequest | None:
    return SignInRequest.objects.filter(
        access_token_hash=digest(access_token),
        access_token_expires_at__gt=timezone.now(),
    ).first()

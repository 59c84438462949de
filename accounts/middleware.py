"""Session limits: signed out after SESSION_IDLE_TIMEOUT without a request, and after
SESSION_COOKIE_AGE since sign-in whatever the activity (the cookie's own expiry alone would
not hold: a copied cookie could be replayed, so the server checks the sign-in time)."""

from __future__ import annotations

import functools
import math
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware, is_verified

# The last-activity stamp is rewritten only once a third of the idle timeout has passed since
# it was written (and never more often than every 30 s): most requests save no session. The
# page is told the idle time actually left (from the stamp), so its warning stays exact.
ACTIVITY_RESOLUTION_SECONDS = 30


def activity_refresh_after() -> int:
    return max(ACTIVITY_RESOLUTION_SECONDS, settings.SESSION_IDLE_TIMEOUT // 3)


def start_session_clock(sender, request, user, **kwargs):
    now = time.time()
    request.session["signed_in_at"] = now
    request.session["last_activity"] = now


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            expired = self._expired(request)
            if expired:
                logout(request)  # flushes the server-side session
                messages.info(request, expired)
                return redirect_to_login(request.get_full_path())
            last_activity = request.session.get("last_activity") or time.time()
            idle_left = settings.SESSION_IDLE_TIMEOUT - (time.time() - last_activity)
            request.session_idle_seconds = max(1, math.ceil(idle_left))
        return self.get_response(request)

    @staticmethod
    def _expired(request) -> str | None:
        now = time.time()
        session = request.session
        signed_in_at = session.get("signed_in_at") or session.setdefault("signed_in_at", now)
        last_activity = session.get("last_activity") or now
        if now - signed_in_at > settings.SESSION_COOKIE_AGE:
            return _("Your session has ended. Please sign in again.")
        if now - last_activity > settings.SESSION_IDLE_TIMEOUT:
            return _("You were signed out after a period of inactivity. Please sign in again.")
        if now - last_activity >= activity_refresh_after():
            session["last_activity"] = now
        return None


class NoStoreWhenSignedInMiddleware:
    """Every answer to a signed-in request may carry personal data: no browser or proxy cache
    keeps it (`Cache-Control: no-store, private`), so the back button after sign-out and a
    shared computer show nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # max-age=0, no-cache, no-store, must-revalidate, private (and drops any `public`).
            add_never_cache_headers(response)
        return response


class LazyOTPMiddleware(OTPMiddleware):
    """django_otp's middleware, except that the second-factor device is read only when
    something asks (`user.is_verified()`, `user.otp_device`): the HR console and the ministry
    admin do, the employee pages never do, so they save a query on every request (issue 16).
    The checks are django_otp's own (`_finalize_device`: the device must be the user's and
    confirmed, else it is dropped from the session)."""

    def _verify_user_sync(self, request, user):
        if not user.is_authenticated:
            self._init_user_fields(user)
            return user
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)

        def load():
            device = self._device_from_persistent_id(persistent_id) if persistent_id else None
            return self._finalize_device(request, user, device)

        # `user` is auth's lazy object: attributes set on it land on the User instance, whose
        # `otp_device` (accounts.models.LazyOTPDevice) calls the loader when first read.
        user._otp_device_loader = load
        user.is_verified = functools.partial(is_verified, user)
        return user

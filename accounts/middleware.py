"""Session limits: signed out after SESSION_IDLE_TIMEOUT without a request, and after
SESSION_COOKIE_AGE since sign-in whatever the activity (the cookie's own expiry alone would
not hold: a copied cookie could be replayed, so the server checks the sign-in time)."""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

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

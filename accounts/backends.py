"""The signed-in user read from the cache (issue 16).

Every signed-in request reads its user: Django's ModelBackend asks the database each time.
Here the row comes from the cache (Redis, where the session already is), kept for
USER_SECONDS and forgotten whenever the user changes: a save or a delete (signals, wired in
accounts.apps) and a queryset update (accounts.models.UserQuerySet). A deactivation, a new
password or a deletion therefore ends the sessions at the next request, as before. A cache
outage only costs the query again.

The copy kept holds no password hash, only the session hashes derived from it
(`User.without_password_hash`): a check of the password reads the hash from the database.
"""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend

from core.cached import forget, read_through

USER_SECONDS = 5 * 60
MISSING = False  # cached for an id with no user: read_through never caches None


def user_cache_key(user_id) -> str:
    return f"accounts:user:{user_id}"


def user_key_of_session(data: dict) -> str | None:
    """The cache key of the user a session belongs to (core.sessions reads both at once)."""
    user_id = data.get(SESSION_KEY)
    return user_cache_key(user_id) if user_id else None


def forget_users(*user_ids) -> None:
    forget(*(user_cache_key(user_id) for user_id in user_ids))


def cached_user(user_id):
    """The user with this primary key (a fresh copy on every call), or None."""
    manager = get_user_model()._default_manager

    def load():
        user = manager.filter(pk=user_id).first()
        return user.without_password_hash() if user is not None else MISSING

    try:
        key = user_cache_key(int(user_id))
    except (TypeError, ValueError):
        return None
    user = read_through(key, load, seconds=USER_SECONDS)
    return user or None


class CachedModelBackend(ModelBackend):
    """ModelBackend (password sign-in, permissions), with the user read through the cache."""

    def get_user(self, user_id):
        user = cached_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

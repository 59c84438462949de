"""Sessions read from the cache (Redis), written through to the database (issue 16).

Django's `cached_db` store: a request reads its session from the cache, falling back to the
database when the cache misses or is down, and writes both only when the session changed
(accounts.middleware.SessionTimeoutMiddleware changes it rarely). Two changes:

- a cache outage never fails a request (Django's load re-caches without catching errors, and
  its delete does not catch them either): the database answers and sign-in still works;
- a cached copy lives at most CACHED_SECONDS, so a copy a sign-out could not remove (the cache
  was unreachable at that moment) stops signing anyone in within minutes, not hours;
- companion values are fetched with the session in one round trip: a session key's user never
  changes (signing in gives a new key), so once a session has been read here, the keys of its
  companions are known for the next request. The first is named from the session's data (the
  signed-in user's cached row, registered by accounts); the others are learned: a key read
  through core.cached during one of the session's requests whose kind was registered with
  `register_companion_kind()` (the person's grants, their unread count) is fetched with the
  session from the next request on. The values are handed to core.cached.read_through for the
  request only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from django.contrib.sessions.backends import cached_db, db

from core.cached import NOT_CACHED, prefetched, set_learner

logger = logging.getLogger("django.contrib.sessions")

CACHED_SECONDS = 5 * 60
COMPANIONS_KEPT = 20_000  # session keys per process whose companion keys are known
COMPANIONS_PER_SESSION = 6

_companion_of_data: list[Callable[[dict], str | None]] = []
_companion_kinds: list[str] = []
_companions_of_session: dict[str, tuple[str, ...]] = {}


def register_companion(key_of: Callable[[dict], str | None]) -> None:
    """`key_of(session data)` names a cache key to read with the session (or None)."""
    _companion_of_data[:] = [key_of]


def register_companion_kind(prefix: str) -> None:
    """Cache keys starting with `prefix` (one person's values, the same on every page) are
    learned as companions of the session that reads them."""
    if prefix not in _companion_kinds:
        _companion_kinds.append(prefix)


def _remember_companion(session_key: str | None, data: dict) -> None:
    if not session_key or session_key in _companions_of_session or not _companion_of_data:
        return
    key = _companion_of_data[0](data)
    if key:
        if len(_companions_of_session) >= COMPANIONS_KEPT:
            _companions_of_session.clear()
        _companions_of_session[session_key] = (key,)


def _learn(session_key: str, key: str) -> None:
    known = _companions_of_session.get(session_key)
    if (
        known is not None
        and key not in known
        and len(known) < COMPANIONS_PER_SESSION
        and key.startswith(tuple(_companion_kinds))
    ):
        _companions_of_session[session_key] = (*known, key)


class SessionStore(cached_db.SessionStore):
    def _cache_ttl(self, expiry=None) -> int:
        return min(CACHED_SECONDS, self.get_expiry_age(expiry=expiry))

    def load(self):
        data = self._load_from_cache()
        if data is None:
            data = self._load_from_database()
        if data and self.session_key:
            _remember_companion(self.session_key, data)
            set_learner(partial(_learn, self.session_key))
        return data

    def _load_from_database(self) -> dict:
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        try:
            self._cache.set(self.cache_key, data, self._cache_ttl(stored.expire_date))
        except Exception:
            logger.warning("session cache unavailable: read from the database")
        return data

    def _load_from_cache(self) -> dict | None:
        companions = _companions_of_session.get(self.session_key, ())
        hand_over = prefetched()
        hand_over.clear()  # nothing read for an earlier request survives into this one
        try:
            if not companions:
                return self._cache.get(self.cache_key)
            found = self._cache.get_many([self.cache_key, *companions])
        except Exception:
            return None
        for key in companions:
            hand_over[key] = found.get(key, NOT_CACHED)
        return found.get(self.cache_key)

    def save(self, must_create=False):
        db.SessionStore.save(self, must_create)
        try:
            self._cache.set(self.cache_key, self._session, self._cache_ttl())
        except Exception:
            logger.warning("session cache unavailable: saved to the database only")

    def delete(self, session_key=None):
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        db.SessionStore.delete(self, session_key)
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except Exception:
            logger.warning("session cache unavailable: a cached copy expires by itself")

    def exists(self, session_key):
        try:
            if self.cache_key_prefix + session_key in self._cache:
                return True
        except Exception:
            logger.warning("session cache unavailable: checked the database")
        return db.SessionStore.exists(self, session_key)

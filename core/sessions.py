"""Sessions read from the cache (Redis), written through to the database (issue 16).

Django's `cached_db` store: a request reads its session from the cache, falling back to the
database when the cache misses or is down, and writes both only when the session changed
(accounts.middleware.SessionTimeoutMiddleware changes it rarely). Two changes:

- a cache outage never fails a request (Django's load re-caches without catching errors, and
  its delete does not catch them either): the database answers and sign-in still works;
- a cached copy lives at most CACHED_SECONDS, so a copy a sign-out could not remove (the cache
  was unreachable at that moment) stops signing anyone in within minutes, not hours.
"""

from __future__ import annotations

import logging

from django.contrib.sessions.backends import cached_db, db

logger = logging.getLogger("django.contrib.sessions")

CACHED_SECONDS = 5 * 60


class SessionStore(cached_db.SessionStore):
    def _cache_ttl(self, expiry=None) -> int:
        return min(CACHED_SECONDS, self.get_expiry_age(expiry=expiry))

    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:
            data = None
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        try:
            self._cache.set(self.cache_key, data, self._cache_ttl(stored.expire_date))
        except Exception:
            logger.warning("session cache unavailable: read from the database")
        return data

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

"""Fixed-window rate limits on the shared cache (Redis in production, so every web process
counts together). Used by every code, login and public lookup form."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache

from .audit import client_ip


@dataclass(frozen=True)
class Limit:
    """At most `count` hits per `seconds` for one key of one `scope`."""

    scope: str
    count: int
    seconds: int

    def _key(self, key: str) -> str:
        # Keys hold national IDs, phone numbers and addresses: hash them so the cache holds none.
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        return f"rl:{self.scope}:{self.seconds}:{digest}"

    def hit(self, key: str) -> bool:
        """Count one attempt; False when this one is over the limit."""
        cache_key = self._key(key)
        if cache.add(cache_key, 1, timeout=self.seconds):
            return True
        try:
            return cache.incr(cache_key) <= self.count
        except ValueError:  # expired between add and incr: this is the first of a new window
            cache.add(cache_key, 1, timeout=self.seconds)
            return True

    def exceeded(self, key: str) -> bool:
        """Whether the key is already over the limit, without counting an attempt."""
        return (cache.get(self._key(key)) or 0) >= self.count

    def reset(self, key: str) -> None:
        cache.delete(self._key(key))


def ip_key(request) -> str:
    return client_ip(request) or "unknown"

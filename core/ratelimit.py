"""Fixed-window rate limits on the shared cache (Redis in production, so every web process
counts together). Used by every code, login and public lookup form.

When the cache is down the limits keep working on a counter inside this process (each web
process then counts alone, so a limit of N allows at most N per process), instead of turning
every sign-in into an error page; the next call that reaches the cache uses it again."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache

from .audit import client_ip

logger = logging.getLogger(__name__)

# Used only while the shared cache raises; never cleared by tests that clear the cache.
_fallback = LocMemCache("masar-ratelimit-fallback", {"OPTIONS": {"MAX_ENTRIES": 100_000}})


def _cache_errors() -> tuple[type[BaseException], ...]:
    try:
        import redis
    except ImportError:  # pragma: no cover - redis is a dependency
        return (ConnectionError, TimeoutError)
    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, ConnectionError,
            TimeoutError)  # fmt: skip


def _call(method: str, *args, **kwargs):
    """`cache.<method>(...)`, or the same on the in-process fallback when the cache is down."""
    try:
        return getattr(cache, method)(*args, **kwargs)
    except _cache_errors() as error:
        logger.warning(
            "rate limit cache unavailable (%s): counting in-process", type(error).__name__
        )
        return getattr(_fallback, method)(*args, **kwargs)


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
        if _call("add", cache_key, 1, timeout=self.seconds):
            return True
        try:
            return _call("incr", cache_key) <= self.count
        except ValueError:  # expired between add and incr: this is the first of a new window
            _call("add", cache_key, 1, timeout=self.seconds)
            return True

    def exceeded(self, key: str) -> bool:
        """Whether the key is already over the limit, without counting an attempt."""
        return (_call("get", self._key(key)) or 0) >= self.count

    def reset(self, key: str) -> None:
        _call("delete", self._key(key))


def ip_key(request) -> str:
    return client_ip(request) or "unknown"


class _ResilientCache:
    """The shared cache for counters and short-lived flags that must keep working while Redis
    is away (each process then counts alone): `resilient_cache.incr(...)` and so on."""

    def __getattr__(self, method: str):
        return lambda *args, **kwargs: _call(method, *args, **kwargs)


resilient_cache = _ResilientCache()

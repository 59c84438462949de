"""Copies in the cache of what signed-in pages read on every request (issue 16).

    rows = read_through(key, lambda: list(...), seconds=300)
    forget(key)   # in the change's transaction, or after it

A copy is forgotten at once and again once the current transaction commits: a request that
read the database between the two (the change not yet committed) would otherwise keep the
copy from before the change. What writes around the ORM's signals (a queryset `update()`) is
seen once the copy expires, so each copy lives a few minutes at most. A cache outage never
fails a request: the value is read from the database again.

A value fetched ahead in the same round trip as the session (core.sessions) is taken from
`prefetched()` instead of asking the cache again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextvars import ContextVar
from functools import partial
from typing import Any

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

_prefetched: ContextVar[dict[str, Any] | None] = ContextVar("masar_prefetched", default=None)


def prefetched() -> dict[str, Any]:
    """This thread's values read ahead for the current request (emptied at each session read
    and when the request ends)."""
    values = _prefetched.get()
    if values is None:
        values = {}
        _prefetched.set(values)
    return values


def clear_prefetched(**kwargs) -> None:
    values = _prefetched.get()
    if values:
        values.clear()


def read_through(key: str, compute: Callable[[], Any], *, seconds: int) -> Any:
    """The cached value of `key`, else `compute()` (never None), kept for `seconds`."""
    ahead = _prefetched.get()
    if ahead and key in ahead:
        value = ahead.pop(key)
    else:
        try:
            value = cache.get(key)
        except Exception:
            value = None
    if value is not None:
        return value
    value = compute()
    try:
        cache.set(key, value, seconds)
    except Exception:
        logger.warning("cache unavailable: %s read from the database", key.split(":")[0])
    return value


def _delete(keys: list[str]) -> None:
    try:
        cache.delete_many(keys)
    except Exception:
        logger.warning("cache unavailable: cached copies expire by themselves")


def forget(*keys: str) -> None:
    """Drop the copies now and once the current transaction commits (at once outside one)."""
    ahead = _prefetched.get()
    if ahead:
        for key in keys:
            ahead.pop(key, None)
    _delete(list(keys))
    transaction.on_commit(partial(_delete, list(keys)))

"""Copies in the cache of what signed-in pages read on every request (issue 16).

    rows = read_through(key, lambda: list(...), seconds=300)
    forget(key)   # in the change's transaction, or after it

A copy is forgotten at once and again once the current transaction commits: a request that
read the database between the two (the change not yet committed) would otherwise keep the
copy from before the change. What writes around the ORM's signals (a queryset `update()`) is
seen once the copy expires, so each copy lives a few minutes at most. A cache outage never
fails a request: the value is read from the database again.

A value fetched ahead in the same round trip as the session (core.sessions) is taken from
`prefetched()` instead of asking the cache again; a key fetched ahead that the cache did not
hold is handed over as `NOT_CACHED`, so it is computed without asking twice. A key read here
during a request is reported to the request's learner (core.sessions), which fetches it ahead
for the session's next request when its kind is one it keeps.
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
_learner: ContextVar[Callable[[str], None] | None] = ContextVar("masar_learner", default=None)
NOT_CACHED = object()  # fetched ahead, and the cache had nothing


def set_learner(learner: Callable[[str], None] | None) -> None:
    """`learner(key)` hears every key read from the cache for the rest of this request."""
    _learner.set(learner)


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
    _learner.set(None)


def read_through(key: str, compute: Callable[[], Any], *, seconds: int) -> Any:
    """The cached value of `key`, else `compute()` (never None), kept for `seconds`."""
    ahead = _prefetched.get()
    if ahead and key in ahead:
        value = ahead.pop(key)
        if value is NOT_CACHED:
            value = None
    else:
        try:
            value = cache.get(key)
        except Exception:
            value = None
        learner = _learner.get()
        if learner is not None:
            learner(key)
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

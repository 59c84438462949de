"""A fixed-window counter in the cache (Redis in production, locmem in tests)."""

from django.core.cache import cache


def too_many(key: str, *, limit: int, window: int) -> bool:
    cache_key = f"nafath_sim:rl:{key}"
    cache.add(cache_key, 0, timeout=window)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window)
        count = 1
    return count > limit


def client_ip(request) -> str:
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")

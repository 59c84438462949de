"""A fixed-window counter in the cache (Redis in production, locmem in tests)."""

from django.conf import settings
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
    """The peer address, or the hop TRUSTED_PROXY_COUNT places from the right of
    X-Forwarded-For (the simulator imports nothing of the portal, so this mirrors
    core.audit.client_ip); only a key for the counter, never stored."""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if proxies > 0 and len(hops) >= proxies and hops[-proxies].strip():
        return hops[-proxies].strip()[:64]
    return request.META.get("REMOTE_ADDR", "")

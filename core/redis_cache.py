"""Django's Redis cache, keeping one client per connection pool (issue 16).

Django's `RedisCacheClient.get_client()` builds a new `redis.Redis` for every cache call, and
redis-py 8 fills a table of about 170 response callbacks in each one: about a tenth of a
millisecond of CPU per call, paid twice on every signed-in page (the session, the unread
count). A `redis.Redis` is safe to share between threads (each command borrows a connection
from the pool), and each thread already has its own cache object (django.core.cache.caches),
so the client is kept beside the pool it wraps. Nothing else changes: the same pools, options,
serializer and errors.
"""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(
                    self._servers[index], **self._pool_options
                )
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

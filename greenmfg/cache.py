"""A Redis cache whose outage is a miss, not an error page.

Nothing in the portal keeps data only in the cache, so with Redis away every read misses and every write is
dropped, each with a log line. django-ratelimit then finds no count and, with ``RATELIMIT_FAIL_OPEN``, lets the
request through: an objection is accepted rather than refused for the cache's sake.
"""

import logging
from contextlib import contextmanager

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


@contextmanager
def _outage_is_a_miss(operation):
    """Swallow (and log) an unreachable Redis; the code after the ``with`` gives the miss."""
    try:
        yield
    except RedisError as error:
        logger.warning(
            "cache unavailable (%s: %s): %s is a miss; rate limits are not enforced",
            type(error).__name__,
            error,
            operation,
        )


class ReusingRedisCacheClient(RedisCacheClient):
    """One ``redis.Redis`` per connection pool, made once.

    Django's client builds a new ``redis.Redis`` for every cache call, and redis-py 8 fills some 170 response
    callbacks into each: 0.2 ms a call, more than the round trip to Redis itself, twice on every cached page. A
    ``redis.Redis`` is safe to share between threads (each command takes a connection from the pool), and the pool
    starts afresh in a forked process.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class ForgivingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with _outage_is_a_miss("add"):
            return super().add(key, value, timeout, version)
        return False

    def get(self, key, default=None, version=None):
        with _outage_is_a_miss("get"):
            return super().get(key, default, version)
        return default

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with _outage_is_a_miss("set"):
            super().set(key, value, timeout, version)

    def delete(self, key, version=None):
        with _outage_is_a_miss("delete"):
            return super().delete(key, version)
        return False

    def has_key(self, key, version=None):
        """Asked by the cached_db session store (``key in cache``) for every new session key."""
        with _outage_is_a_miss("has_key"):
            return super().has_key(key, version)
        return False

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        with _outage_is_a_miss("touch"):
            return super().touch(key, timeout, version)
        return False

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        with _outage_is_a_miss("set_many"):
            return super().set_many(data, timeout, version)
        return list(data)

    def delete_many(self, keys, version=None):
        with _outage_is_a_miss("delete_many"):
            super().delete_many(keys, version)

    def get_many(self, keys, version=None):
        with _outage_is_a_miss("get_many"):
            return super().get_many(keys, version)
        return {}

    def incr(self, key, delta=1, version=None):
        """A missing key raises ValueError by the cache contract; an unreachable cache is treated the same."""
        with _outage_is_a_miss("incr"):
            return super().incr(key, delta, version)
        raise ValueError("cache unavailable")

"""The cache, Redis in production, is an accelerator, never a dependency: when Redis is down or hangs, a
cache read misses and a write is dropped (logged once a minute), so the pages that cache their counts or
filter choices are still served from the database. The health check reads the real state through
`strict()`."""

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

LOG_EVERY_SECONDS = 60
_last_logged = 0.0


def _log(operation: str, error: RedisError) -> None:
    global _last_logged
    now = time.monotonic()
    if now - _last_logged >= LOG_EVERY_SECONDS:  # one line a minute, not one per request
        _last_logged = now
        logger.warning("Cache unavailable, %s skipped (the database answers instead): %r", operation, error)


def _tolerant(method, fallback):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except RedisError as error:
            _log(method.__name__, error)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    return wrapper


def _default(key, default=None, *args, **kwargs):
    return default


class TolerantRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._arguments = (server, params)

    def strict(self) -> RedisCache:
        """The same cache, raising Redis's errors: for the health check."""
        return RedisCache(*self._arguments)

    get = _tolerant(RedisCache.get, _default)
    get_many = _tolerant(RedisCache.get_many, {})
    has_key = _tolerant(RedisCache.has_key, False)
    add = _tolerant(RedisCache.add, False)
    set = _tolerant(RedisCache.set, None)
    set_many = _tolerant(RedisCache.set_many, [])
    touch = _tolerant(RedisCache.touch, False)
    delete = _tolerant(RedisCache.delete, False)
    delete_many = _tolerant(RedisCache.delete_many, None)

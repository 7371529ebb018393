"""Django's Redis cache, made to degrade instead of failing while Redis is unreachable.

Everything we (and Wagtail: site root paths; allauth: login rate limits; DRF: the API's
write throttle) keep in the cache can be recomputed or skipped; the database is the truth.
With the stock backend a Redis restart turned every page into an error. Here, while Redis
is unreachable:

- a read misses and a write is skipped;
- ``add`` answers True: callers use it as a lock or a "first time?" check (allauth takes
  a lock with it before counting a login attempt), and refusing would lock everyone out
  of their account; letting the attempt through only loosens a rate limit for a while;
- ``incr`` answers "no such key", so a counter starts again from its caller's default.

The outage is logged once when it starts and once when Redis answers again. After a
failure the process does not try Redis for ``RETRY_SECONDS``, so that a page with several
cache calls does not wait one connection timeout for each.
"""

import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
RETRY_SECONDS = 2.0


class _Unreachable(Exception):
    """Redis is known to be down: skip the call without waiting for a timeout."""


class _Outage:
    """Per process: is Redis down, since when, and when to try it again."""

    def __init__(self):
        self._lock = threading.Lock()
        self.down = False
        self.retry_at = 0.0

    def check(self):
        if self.down and time.monotonic() < self.retry_at:
            raise _Unreachable

    def failed(self, operation, error):
        with self._lock:
            self.retry_at = time.monotonic() + RETRY_SECONDS
            if self.down:
                return
            self.down = True
        logger.warning(
            "Cache unreachable (%s on %s): going on without it; rate limits and cache "
            "locks let requests through until it answers again",
            type(error).__name__,
            operation,
        )

    def succeeded(self):
        if not self.down:
            return
        with self._lock:
            if not self.down:
                return
            self.down = False
        logger.warning("Cache reachable again")


outage = _Outage()


class ResilientRedisCache(RedisCache):
    def _call(self, operation, when_down, *args):
        try:
            outage.check()
            result = getattr(super(), operation)(*args)
        except _Unreachable:
            return when_down()
        except UNREACHABLE as error:
            outage.failed(operation, error)
            return when_down()
        outage.succeeded()
        return result

    def get(self, key, default=None, version=None):
        return self._call("get", lambda: default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", dict, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", lambda: False, key, version)

    def add(self, key, value, timeout=None, version=None):
        return self._call("add", lambda: True, key, value, timeout, version)

    def set(self, key, value, timeout=None, version=None):
        return self._call("set", lambda: None, key, value, timeout, version)

    def set_many(self, data, timeout=None, version=None):
        return self._call("set_many", lambda: list(data), data, timeout, version)

    def touch(self, key, timeout=None, version=None):
        return self._call("touch", lambda: False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", lambda: False, key, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", lambda: None, keys, version)

    def incr(self, key, delta=1, version=None):
        def not_found():
            raise ValueError(f"Key '{key}' not found")

        return self._call("incr", not_found, key, delta, version)

    def clear(self):
        return self._call("clear", lambda: False)

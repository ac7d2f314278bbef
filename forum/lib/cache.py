"""The one cache backend every cache call goes through: Redis that degrades instead of failing.

settings.CACHES["default"] is a `FailSoftCache` wrapping the real backend (Django's RedisCache in
production, named by OPTIONS["INNER_BACKEND"]). When the inner backend cannot be reached, the cache
behaves as an empty cache that forgets every write:

- reads miss (`get` returns the default, `get_many` returns {}, `has_key` is False);
- writes are skipped (`set`/`delete`/`touch` do nothing; `add` answers True, as an empty cache
  would, so "first one wins" callers carry on);
- `incr`/`decr` raise `CacheUnavailable`, a ValueError, exactly as an empty cache raises for a
  missing key, so callers that already handle an evicted counter need nothing new;
- a warning is logged at most once a minute per process (`log_throttled`), not once per call.

Only connection-level failures are swallowed (redis errors, OSError, timeouts); a programming
error (a bad key, a value that cannot be pickled) still raises. `cache.degraded` is True while
the last call of this thread failed, for callers that want to say what they skipped (the rate
limits log that they are not enforced).

django-redis has an IGNORE_EXCEPTIONS option that does the same, but it is not a dependency and
Django's own RedisCache is what the rest of the stack was verified with; the wrapper is 100 lines.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.module_loading import import_string

logger = logging.getLogger("huoli.cache")

LOG_INTERVAL_SECONDS = 60

_last_logged = {}
_log_lock = threading.Lock()


class CacheUnavailable(ValueError):
    """Raised by incr/decr while the cache is unreachable (a ValueError, as for a missing key)."""


def log_throttled(topic, message, *args, interval=LOG_INTERVAL_SECONDS, log=logger):
    """Log `message` as a warning at most once per `interval` seconds per `topic` in this process.
    Returns True when it logged."""
    now = time.monotonic()
    with _log_lock:
        last = _last_logged.get(topic)
        if last is not None and now - last < interval:
            return False
        _last_logged[topic] = now
    log.warning(message, *args)
    return True


def outage_errors():
    """The exception classes that mean "the cache server is unreachable"."""
    errors = [ConnectionError, TimeoutError, OSError]
    try:
        from redis.exceptions import RedisError
    except ImportError:  # pragma: no cover - redis is a dependency
        pass
    else:
        errors.append(RedisError)
    return tuple(errors)


_MISSING = object()


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client, keeping one `redis.Redis` per connection pool.

    Django builds a new `redis.Redis(connection_pool=pool)` for every cache call. The connections
    are pooled either way, but each construction fills a fresh table of about 180 response callbacks:
    on a page making 20 cache calls that was 4 ms of the page's time (cProfile of the topic page).
    A `redis.Redis` is safe to share between threads (every command takes its own connection from
    the pool), so one per pool does what twenty did."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(self._servers[index], **self._pool_options)
            client = self._clients.setdefault(index, self._client(connection_pool=self._pools[index]))
        return client


class ReusedClientRedisCache(RedisCache):
    """Django's RedisCache with `ReusedClientRedisCacheClient` (the production INNER_BACKEND)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient


class FailSoftCache(BaseCache):
    """A cache backend that delegates to OPTIONS["INNER_BACKEND"] and degrades when it is down."""

    def __init__(self, location, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        inner_path = options.pop("INNER_BACKEND", "forum.lib.cache.ReusedClientRedisCache")
        params["OPTIONS"] = options
        super().__init__(params)
        self.inner = import_string(inner_path)(location, params)
        self.location = location
        self.degraded = False
        self._errors = outage_errors()

    def _call(self, name, fallback, *args, **kwargs):
        try:
            method = name if callable(name) else getattr(self.inner, name)
            result = method(*args, **kwargs)
        except self._errors as exc:
            self.degraded = True
            log_throttled(
                "cache-down",
                "cache unreachable (%s: %s); serving from the database, cache writes skipped",
                type(exc).__name__, exc,
            )
            if fallback is _MISSING:
                raise CacheUnavailable(f"cache unreachable: {exc}") from exc
            return fallback(*args, **kwargs) if callable(fallback) else fallback
        self.degraded = False
        return result

    def get(self, key, default=None, version=None):
        return self._call("get", lambda *a, **k: default, key, default=default, version=version)

    def get_many(self, keys, version=None):
        return self._call("get_many", lambda *a, **k: {}, keys, version=version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout=timeout, version=version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", True, key, value, timeout=timeout, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout=timeout, version=version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", lambda *a, **k: list(data), data, timeout=timeout, version=version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version=version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", _MISSING, key, delta=delta, version=version)

    def count(self, key, delta=1, version=None):
        """Add `delta` to the counter at `key`, creating it when missing, and return the new value.
        The counter never expires. On Redis this is one INCRBY: Django's `incr` is EXISTS then INCRBY
        and raises on a missing key, so a first count also needed an `add` (three round trips).
        Raises CacheUnavailable while the cache is down, as `incr` does."""
        return self._call(self._count, _MISSING, key, delta, version)

    def _count(self, key, delta, version):
        inner = self.inner
        if isinstance(inner, RedisCache):
            key = inner.make_and_validate_key(key, version=version)
            return inner._cache.get_client(key, write=True).incrby(key, delta)
        if inner.add(key, delta, timeout=None, version=version):
            return delta
        return inner.incr(key, delta, version=version)

    def decr(self, key, delta=1, version=None):
        return self._call("decr", _MISSING, key, delta=delta, version=version)

    def clear(self):
        return self._call("clear", None)

    def close(self, **kwargs):
        try:
            self.inner.close(**kwargs)
        except self._errors:
            pass

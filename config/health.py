"""GET /healthz: is this server able to serve? For Docker healthchecks and load balancers.

The database is required: without it the answer is 503 and the container is unhealthy. Redis (cache
and channel layer) and the Celery broker are reported but do not fail the check: the site degrades
without them (forum.lib.cache serves from the database, effects wait for the broker), and
restarting web containers because Redis is down would only make things worse. The body names each
part's state and the error's class, never a URL, host or password:

    {"status": "ok" | "degraded" | "down",
     "database": {"ok": true}, "redis": {"ok": false, "error": "ConnectionError"},
     "broker": {"ok": true, "transport": "redis"}}

Each probe is bounded (1 s), so the check answers within the healthcheck's timeout."""

import time
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

PROBE_TIMEOUT = 1.0


def _timed(probe):
    started = time.monotonic()
    try:
        extra = probe() or {}
    except Exception as exc:  # any failure is a state to report, not a 500
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1), **extra}


def check_database():
    def probe():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    return _timed(probe)


def check_redis():
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return {"ok": True, "configured": False}

    def probe():
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=PROBE_TIMEOUT, socket_timeout=PROBE_TIMEOUT)
        try:
            client.ping()
        finally:
            client.close()

    return _timed(probe)


def check_broker(redis_state):
    url = settings.CELERY_BROKER_URL
    transport = urlsplit(url).scheme or "unknown"
    if transport == "memory" or getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return {"ok": True, "transport": transport, "eager": bool(settings.CELERY_TASK_ALWAYS_EAGER)}
    if url == getattr(settings, "REDIS_URL", ""):
        return {**redis_state, "transport": transport}  # the same server: no second probe

    def probe():
        from kombu import Connection

        with Connection(url, connect_timeout=PROBE_TIMEOUT) as conn:
            conn.ensure_connection(max_retries=1, timeout=PROBE_TIMEOUT)
        return {"transport": transport}

    return _timed(probe)


@never_cache
@require_safe
def healthz(request):
    database = check_database()
    redis_state = check_redis()
    broker = check_broker(redis_state)
    if not database["ok"]:
        status = "down"
    elif not (redis_state["ok"] and broker["ok"]):
        status = "degraded"
    else:
        status = "ok"
    return JsonResponse({"status": status, "database": database, "redis": redis_state, "broker": broker},
                        status=503 if status == "down" else 200)

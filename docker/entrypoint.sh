#!/bin/sh
# Container entry point. The first argument picks the role:
#   web     apply migrations, then serve HTTP (WSGI) with gunicorn's sync workers on $PORT (default
#           8000): bench/pages.py measured them fastest for pages, and a sync worker keeps its
#           database connection across requests (CONN_MAX_AGE), which ASGI's thread per request doesn't
#   live    serve WebSockets (/ws/, ASGI: Channels) with uvicorn on $PORT: bench/fanout.py measured it
#           faster than daphne at fanning replies out to 1,000 readers. The proxy routes /ws/ here.
#   worker  a Celery worker
#   beat    Celery beat, with the schedule kept in the database (django-celery-beat)
#   anything else is run as given, e.g. `python manage.py createsuperuser`
set -eu

# Who may set X-Forwarded-For/-Proto: the proxy in front only (compose: the nginx service's network).
# Comma-separated addresses or networks; never '*', which would let any client claim HTTPS or an address.
FORWARDED_ALLOW_IPS="${FORWARDED_ALLOW_IPS:-127.0.0.1}"
case "$FORWARDED_ALLOW_IPS" in
  *'*'*)
    echo "FORWARDED_ALLOW_IPS 不能是 '*'：请填写反向代理的地址或网段 (FORWARDED_ALLOW_IPS must name the proxy's addresses, not '*')." >&2
    exit 64
    ;;
esac

role="${1:-web}"
case "$role" in
  web)
    python manage.py migrate --noinput
    # the nginx service serves /static/ from a shared volume: hand it this image's collected files
    if [ -n "${STATIC_EXPORT_DIR:-}" ]; then
      cp -R /app/staticfiles/. "$STATIC_EXPORT_DIR"/
    fi
    exec gunicorn config.wsgi:application --bind "0.0.0.0:${PORT:-8000}" \
      --workers "${WEB_WORKERS:-2}" --forwarded-allow-ips "$FORWARDED_ALLOW_IPS" --access-logfile - \
      --logger-class config.gunicorn_logger.RedactingLogger
    ;;
  live)
    exec uvicorn config.asgi:application --host 0.0.0.0 --port "${PORT:-8000}" \
      --workers "${LIVE_WORKERS:-1}" --ws websockets-sansio --proxy-headers --forwarded-allow-ips "$FORWARDED_ALLOW_IPS"
    ;;
  worker)
    # CELERY_QUEUES: the queues this worker consumes (compose starts one worker per kind of work)
    exec celery -A config worker --loglevel "${CELERY_LOG_LEVEL:-info}" \
      --queues "${CELERY_QUEUES:-interactive,bulk,scoring,celery}"
    ;;
  beat)
    # --pidfile= : no pid file (the code directory is read-only for this user)
    exec celery -A config beat --loglevel "${CELERY_LOG_LEVEL:-info}" \
      --scheduler django_celery_beat.schedulers:DatabaseScheduler --pidfile=
    ;;
  *)
    exec "$@"
    ;;
esac

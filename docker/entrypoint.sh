#!/bin/sh
# Container entry point. The first argument picks the role:
#   web     apply migrations, then serve HTTP and WebSockets with daphne on $PORT (default 8000)
#   worker  a Celery worker
#   beat    Celery beat, with the schedule kept in the database (django-celery-beat)
#   anything else is run as given, e.g. `python manage.py createsuperuser`
set -eu

role="${1:-web}"
case "$role" in
  web)
    python manage.py migrate --noinput
    exec daphne --bind 0.0.0.0 --port "${PORT:-8000}" --proxy-headers config.asgi:application
    ;;
  worker)
    exec celery -A config worker --loglevel "${CELERY_LOG_LEVEL:-info}"
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

"""The replica router (config/replica.py): GET reads go to the replica, writes always to the primary, and a
member who just wrote reads from the primary (this request and, through the huoli_primary cookie, the next
ones for PRIMARY_PIN_SECONDS). The router is driven through its middleware the way a request drives it;
the settings switch (DATABASE_REPLICA_URL) is read in a fresh interpreter."""

import json
import os
import subprocess
import sys

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from config.replica import PIN_COOKIE, PrimaryPinMiddleware, ReplicaRouter
from forum.models import Topic

router = ReplicaRouter()


@pytest.fixture
def with_replica(settings):
    settings.DATABASE_REPLICA_URL = "postgres://huoli@10.0.0.2:5433/huoli"  # the router reads this switch
    settings.PRIMARY_PIN_SECONDS = 15


def serve(request, view):
    """Run `view(record)` inside the middleware; record(...) notes where each read or write went."""
    seen = []

    def record_read():
        seen.append(("read", router.db_for_read(Topic)))

    def record_write():
        seen.append(("write", router.db_for_write(Topic)))

    def get_response(req):
        view(record_read, record_write)
        return HttpResponse("ok")

    response = PrimaryPinMiddleware(get_response)(request)
    return seen, response


def test_a_get_reads_from_the_replica(with_replica):
    seen, response = serve(RequestFactory().get("/"), lambda read, write: (read(), read()))
    assert seen == [("read", "replica"), ("read", "replica")]
    assert PIN_COOKIE not in response.cookies
    assert response["X-Huoli-Db"] == "replica"


def test_writes_always_go_to_the_primary(with_replica):
    seen, _ = serve(RequestFactory().get("/"), lambda read, write: write())
    assert seen == [("write", "default")]
    assert router.db_for_write(Topic) == "default"  # outside a request too


def test_a_member_who_just_wrote_reads_from_the_primary(with_replica):
    seen, response = serve(RequestFactory().post("/t/1/reply/"), lambda read, write: (write(), read()))
    assert seen == [("write", "default"), ("read", "default")]
    cookie = response.cookies[PIN_COOKIE]
    assert cookie["max-age"] == 15 and cookie["httponly"]
    # the next request of the same browser (a GET, with the cookie) still reads from the primary
    follow_up = RequestFactory().get("/t/1/")
    follow_up.COOKIES[PIN_COOKIE] = cookie.value
    seen, response = serve(follow_up, lambda read, write: read())
    assert seen == [("read", "default")]
    assert response["X-Huoli-Db"] == "default"


def test_a_get_that_writes_reads_the_rest_from_the_primary_and_pins(with_replica):
    seen, response = serve(RequestFactory().get("/"), lambda read, write: (read(), write(), read()))
    assert seen == [("read", "replica"), ("write", "default"), ("read", "default")]
    assert PIN_COOKIE in response.cookies


@pytest.mark.django_db
def test_reads_inside_a_transaction_use_the_primary(with_replica):
    def view(read, write):
        with transaction.atomic():
            read()

    seen, _ = serve(RequestFactory().get("/"), view)
    assert seen == [("read", "default")]


def test_reads_outside_a_request_use_the_primary(with_replica):
    """Celery tasks, commands: a task sent on commit must see the row its request just wrote."""
    assert router.db_for_read(Topic) == "default"


def test_without_a_replica_everything_reads_the_primary(settings):
    assert not settings.DATABASE_REPLICA_URL
    seen, _ = serve(RequestFactory().get("/"), lambda read, write: read())
    assert seen == [("read", "default")]


def test_only_the_primary_takes_migrations():
    assert router.allow_migrate("default", "forum") is True
    assert router.allow_migrate("replica", "forum") is False


PROBE = ("import json; from django.conf import settings as s; print(json.dumps({'aliases': sorted(s.DATABASES), "
         "'replica': s.DATABASES.get('replica', {}).get('PORT'), 'routers': s.DATABASE_ROUTERS, "
         "'pin': 'config.replica.PrimaryPinMiddleware' in s.MIDDLEWARE, 'test': s.DATABASES.get('replica', {})"
         ".get('TEST', {}).get('MIRROR')}))")


def _settings(**env):
    clean = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings", "REDIS_URL": "",
             "ELASTICSEARCH_URL": "", "DATABASE_URL": "postgres://huoli@127.0.0.1:5432/huoli", **env}
    out = subprocess.run([sys.executable, "-c", PROBE], env=clean, capture_output=True, text=True, timeout=60,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_database_replica_url_turns_the_router_on():
    on = _settings(DATABASE_REPLICA_URL="postgres://huoli@10.0.0.2:5433/huoli")
    assert on == {"aliases": ["default", "replica"], "replica": 5433, "routers": ["config.replica.ReplicaRouter"],
                  "pin": True, "test": "default"}
    off = _settings()
    assert off == {"aliases": ["default"], "replica": None, "routers": [], "pin": False, "test": None}

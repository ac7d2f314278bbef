"""Fixtures for the live-layer tests.

The tests are plain sync tests that drive WebsocketCommunicator inside `run(...)` (async_to_sync).
The consumers' database_sync_to_async calls then run on the test's own thread and connection,
inside the test transaction, so no `transaction=True` (which would wipe Wagtail's root page) is
needed. channels closes "old" connections around each such call, which inside a test
transaction would break it: that is switched off here, as Django's test client does for requests.
"""

import copy
import uuid

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.test import Client

ORIGIN = b"http://testserver"
CONFIGURED_LAYER = copy.deepcopy(django_settings.CHANNEL_LAYERS["default"])  # before any test overrides it


@pytest.fixture(autouse=True)
def live_settings(settings, monkeypatch):
    import channels.db

    monkeypatch.setattr(channels.db, "close_old_connections", lambda: None)
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.HUOLI = {**django_settings.HUOLI, "LIVE_PRESENCE_INTERVAL": 1}
    return settings


@pytest.fixture
def redis_layer(settings):
    """The real Redis channel layer on REDIS_URL, under a prefix of this test's own."""
    layer = CONFIGURED_LAYER
    assert layer["BACKEND"].startswith("channels_redis."), layer["BACKEND"]
    settings.CHANNEL_LAYERS = {
        "default": {**layer, "CONFIG": {**layer["CONFIG"], "prefix": f"huoli-test-{uuid.uuid4().hex[:8]}"}}
    }
    yield
    from channels.layers import get_channel_layer

    async_to_sync(get_channel_layer().flush)()


def run(coro_fn, *args, **kwargs):
    """Run an async scenario from a sync test, on the test's thread (see the module docstring)."""
    return async_to_sync(coro_fn)(*args, **kwargs)


def session_cookie(user):
    if user is None:
        return None
    client = Client()
    client.force_login(user)
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def communicator(path, cookie=None, origin=ORIGIN):
    from config.asgi import application

    headers = [(b"host", b"testserver")]
    if origin is not None:
        headers.append((b"origin", origin))
    if cookie:
        headers.append((b"cookie", f"{django_settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return WebsocketCommunicator(application, path, headers=headers)


async def receive(comm, *, skip=("presence",), timeout=3):
    """The next message, skipping presence notices (they arrive on a timer)."""
    while True:
        message = await comm.receive_json_from(timeout)
        if message.get("type") not in skip:
            return message


async def receive_types(comm, count, **kwargs):
    return [await receive(comm, **kwargs) for _ in range(count)]


async def nothing_more(comm, *, skip=("presence",), timeout=0.3):
    """True if no message other than `skip` types arrives within `timeout`."""
    while True:
        if await comm.receive_nothing(timeout):
            return True
        message = await comm.receive_json_from()
        if message.get("type") not in skip:
            return False


async def closed_with(comm, code, timeout=3):
    """Consume messages until the close frame; return whether it had `code`."""
    while True:
        output = await comm.receive_output(timeout)
        if output["type"] == "websocket.close":
            return output.get("code") == code


def in_thread(fn):
    """Call sync test code (writes with on-commit capture) from a scenario, on the test thread."""
    return database_sync_to_async(fn)


# --- browser tests: the ASGI app served in a thread, on the test's own transaction --------------
@pytest.fixture(scope="session")
def migrated_rows(django_db_setup):
    """The serialized copy of the migrations' rows that pytest-django made (when some test of the
    run is marked django_db(serialized_rollback=True)), or None. Read once per session, before any
    browser starts: while Playwright's loop is set, the main thread sees another connection object
    (see tests.browser.keep_database_connections_per_thread)."""
    from django.db import connection

    return getattr(connection, "_test_serialized_contents", None)


@pytest.fixture
def pristine_db(migrated_rows, db):
    """Exactly the rows the migrations made, inside this (non-transactional) test's transaction.

    Transactional tests that ran before this one in the same process flush the database when they
    end (and may leave the post_migrate rows, or none). Emptying and restoring the migrations' rows
    here, inside the transaction, makes this test independent of them, and its rollback leaves the
    database as it found it."""
    from django.core.management import call_command
    from django.db import connection

    if migrated_rows is None:
        return
    call_command("flush", verbosity=0, interactive=False, reset_sequences=False, allow_cascade=False,
                 inhibit_post_migrate=True)
    connection.creation.deserialize_db_from_string(migrated_rows)


@pytest.fixture
def live_asgi(pristine_db, settings):
    """config.asgi (HTTP and WebSockets) served by uvicorn in a thread, on the test's transaction,
    with the configured channel layer: Redis when REDIS_URL is set (under a prefix of this test's
    own), in-memory otherwise. On-commit callbacks run after each HTTP request."""
    from channels.layers import get_channel_layer

    from config.asgi import application
    from tests.browser import AsgiLiveServer, run_commit_hooks, shared_database_connections

    if CONFIGURED_LAYER["BACKEND"].startswith("channels_redis."):
        settings.CHANNEL_LAYERS = {"default": {**CONFIGURED_LAYER, "CONFIG": {
            **CONFIGURED_LAYER["CONFIG"], "prefix": f"huoli-test-{uuid.uuid4().hex[:8]}"}}}
    else:
        settings.CHANNEL_LAYERS = {"default": copy.deepcopy(CONFIGURED_LAYER)}
    with shared_database_connections():
        server = AsgiLiveServer(application, after_http=[run_commit_hooks]).start()
        try:
            yield server
        finally:
            try:
                server.run_async(get_channel_layer().flush())
            except Exception:  # noqa: BLE001 - the in-memory layer, or Redis gone: nothing to clean
                pass
            server.stop()

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
    assert layer["BACKEND"] == "channels_redis.core.RedisChannelLayer"
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

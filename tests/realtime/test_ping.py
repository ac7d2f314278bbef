"""The WebSocket entry point: config.asgi.application, through the origin check and session auth, to
the ping consumer.

Tests that need no database are pytest-asyncio coroutines. The logged-in case needs the member and
the session that the test created inside its (rolled back) transaction, so it is a sync test that
drives the socket with async_to_sync: the consumer's database_sync_to_async calls are then run back
on the test's own thread and connection, no transaction=True flush (which would wipe Wagtail's root
page) is needed, and it works the same on SQLite and PostgreSQL."""

import json

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from config.asgi import application

SAME_ORIGIN = (b"origin", b"http://testserver")


def communicator(*headers, path="/ws/ping/"):
    return WebsocketCommunicator(application, path, headers=list(headers))


@pytest.mark.asyncio
async def test_anonymous_ping_gets_pong_without_a_user():
    ws = communicator(SAME_ORIGIN)
    connected, _ = await ws.connect()
    assert connected
    await ws.send_json_to({"type": "ping", "echo": 7})
    assert await ws.receive_json_from(timeout=2) == {"type": "pong", "user": None, "echo": 7}
    await ws.disconnect()


@pytest.mark.asyncio
@pytest.mark.parametrize("origin", [b"http://localhost:8000", b"https://127.0.0.1"])
async def test_every_allowed_host_is_an_accepted_origin(origin):
    ws = communicator((b"origin", origin))
    connected, _ = await ws.connect()
    assert connected
    await ws.send_json_to({"type": "ping"})
    assert (await ws.receive_json_from(timeout=2))["type"] == "pong"
    await ws.disconnect()


@pytest.mark.asyncio
@pytest.mark.parametrize("headers", [
    [(b"origin", b"https://evil.example")],
    [(b"origin", b"http://testserver.evil.example")],
    [(b"origin", b"null")],
    [],  # no Origin header at all
], ids=["foreign", "lookalike", "null", "missing"])
async def test_foreign_or_missing_origin_is_refused(headers):
    assert "evil.example" not in " ".join(settings.ALLOWED_HOSTS)
    ws = communicator(*headers)
    connected, _ = await ws.connect()
    assert connected is False
    await ws.disconnect()


@pytest.mark.asyncio
async def test_unknown_path_is_closed():
    ws = communicator(SAME_ORIGIN, path="/ws/nowhere/")
    with pytest.raises(ValueError, match="No route found"):
        await ws.connect()


@pytest.mark.asyncio
async def test_garbage_gets_an_error_and_the_socket_stays_usable():
    ws = communicator(SAME_ORIGIN)
    connected, _ = await ws.connect()
    assert connected
    garbage = ["not json{", "null", "[1, 2, 3]", '"ping"', "42", json.dumps({"type": "shout"}), json.dumps({})]
    for text in garbage:
        await ws.send_to(text_data=text)
        assert await ws.receive_json_from(timeout=2) == {"type": "error", "error": "unknown message"}, text
    await ws.send_to(bytes_data=b"\x00\xffbinary")
    assert await ws.receive_json_from(timeout=2) == {"type": "error", "error": "unknown message"}
    # Still answers a proper ping afterwards.
    await ws.send_json_to({"type": "ping"})
    assert (await ws.receive_json_from(timeout=2))["type"] == "pong"
    await ws.disconnect()


def session_cookie_for(user):
    client = Client()
    client.force_login(user)
    return (b"cookie", f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode())


@pytest.fixture
def keep_test_connection(monkeypatch):
    """database_sync_to_async closes "old" connections around each call; inside the test's
    transaction that would close the test's own connection on PostgreSQL. The rest of the path
    (session lookup, user lookup, consumer) runs unchanged."""
    monkeypatch.setattr("channels.db.close_old_connections", lambda: None)


def test_logged_in_member_gets_their_name_in_pong(member, keep_test_connection):
    cookie = session_cookie_for(member)

    async def scenario():
        ws = communicator(SAME_ORIGIN, cookie)
        connected, _ = await ws.connect()
        assert connected
        await ws.send_json_to({"type": "ping", "echo": "hi"})
        reply = await ws.receive_json_from(timeout=2)
        await ws.disconnect()
        return reply

    assert async_to_sync(scenario)() == {"type": "pong", "user": member.username, "echo": "hi"}


def test_stale_or_forged_session_cookie_is_anonymous(member, keep_test_connection):
    async def scenario(cookie):
        ws = communicator(SAME_ORIGIN, cookie)
        connected, _ = await ws.connect()
        assert connected
        await ws.send_json_to({"type": "ping"})
        reply = await ws.receive_json_from(timeout=2)
        await ws.disconnect()
        return reply

    forged = (b"cookie", f"{settings.SESSION_COOKIE_NAME}=0123456789abcdefghijklmnopqrstuv".encode())
    assert async_to_sync(scenario)(forged)["user"] is None

    # A real session that was logged out no longer names the member.
    client = Client()
    client.force_login(member)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.logout()
    stale = (b"cookie", f"{settings.SESSION_COOKIE_NAME}={key}".encode())
    assert async_to_sync(scenario)(stale)["user"] is None

"""Who may join which channel, and what a client may send."""

import json

import pytest
from django.contrib.auth.models import Group

from forum.moderation import registry
from tests.factories import CategoryFactory, TopicFactory, UserFactory
from tests.realtime.conftest import closed_with, communicator, receive, run, session_cookie

pytestmark = pytest.mark.django_db


@pytest.fixture
def insiders():
    return Group.objects.create(name="Insiders")


@pytest.fixture
def private_topic(insiders):
    author = UserFactory()
    author.groups.add(insiders)
    return TopicFactory.create(author=author, category=CategoryFactory(read_group=insiders))


@pytest.fixture
def public_topic(member, category):
    return TopicFactory.create(author=member, category=category)


async def try_connect(path, cookie=None, origin=b"http://testserver"):
    comm = communicator(path, cookie, origin=origin)
    connected, code = await comm.connect()
    if connected:
        await comm.disconnect()
    return connected, code


def test_private_category_topic_refuses_guests_and_outsiders_but_admits_its_group(private_topic, member, insiders):
    outsider_cookie = session_cookie(member)
    insider = UserFactory()
    insider.groups.add(insiders)
    insider_cookie = session_cookie(insider)
    path = f"/ws/topic/{private_topic.pk}/"
    assert run(try_connect, path) == (False, 4403)
    assert run(try_connect, path, outsider_cookie) == (False, 4403)
    assert run(try_connect, path, insider_cookie)[0] is True


def test_hidden_topic_refuses_readers_but_admits_author_and_moderators(public_topic, member, other_member, moderator):
    registry.run("topic", "hide", actor=moderator, obj=public_topic)
    path = f"/ws/topic/{public_topic.pk}/"
    assert run(try_connect, path) == (False, 4403)
    assert run(try_connect, path, session_cookie(other_member)) == (False, 4403)
    assert run(try_connect, path, session_cookie(member))[0] is True
    assert run(try_connect, path, session_cookie(moderator))[0] is True


def test_unknown_topic_is_refused(db):
    assert run(try_connect, "/ws/topic/424242/") == (False, 4403)


def test_foreign_origin_is_refused_on_every_channel(public_topic, member):
    cookie = session_cookie(member)
    for path in (f"/ws/topic/{public_topic.pk}/", f"/ws/member/{member.pk}/",
                 f"/ws/category/{public_topic.category_id}/", "/ws/home/"):
        connected, _code = run(try_connect, path, cookie, origin=b"https://evil.example")
        assert connected is False, path


def test_member_channel_is_only_for_its_member(member, other_member):
    path = f"/ws/member/{member.pk}/"
    assert run(try_connect, path) == (False, 4403)
    assert run(try_connect, path, session_cookie(other_member)) == (False, 4403)
    assert run(try_connect, path, session_cookie(member))[0] is True


def test_private_category_channel_refuses_guests(insiders, member):
    private = CategoryFactory(read_group=insiders)
    assert run(try_connect, f"/ws/category/{private.pk}/") == (False, 4403)
    assert run(try_connect, f"/ws/category/{private.pk}/", session_cookie(member)) == (False, 4403)
    assert run(try_connect, "/ws/category/987654/") == (False, 4403)
    member.groups.add(insiders)
    assert run(try_connect, f"/ws/category/{private.pk}/", session_cookie(member))[0] is True


def test_bad_client_messages_get_an_error_and_the_socket_stays_open(public_topic):
    async def scenario():
        comm = communicator(f"/ws/topic/{public_topic.pk}/")
        assert (await comm.connect())[0]
        await receive(comm)
        replies = []
        for text in ("not json{", "null", "[1]", json.dumps({"type": "shout"}), json.dumps({"type": 5})):
            await comm.send_to(text_data=text)
            replies.append(await receive(comm))
        await comm.send_json_to({"type": "ping"})
        pong = await receive(comm)
        await comm.disconnect()
        return replies, pong

    replies, pong = run(scenario)
    assert replies == [{"type": "error", "error": "invalid_message"}] * 5
    assert pong == {"type": "pong"}


@pytest.mark.parametrize("frame", [{"bytes_data": b"\x00\x01"}, {"text_data": json.dumps({"type": "ping", "x": "y" * 2000})}],
                         ids=["binary", "oversized"])
def test_binary_or_oversized_frames_close_the_socket(public_topic, frame):
    async def scenario():
        comm = communicator(f"/ws/topic/{public_topic.pk}/")
        assert (await comm.connect())[0]
        await receive(comm)
        await comm.send_to(**frame)
        return await closed_with(comm, 4400)

    assert run(scenario)


def test_a_flood_of_messages_is_cut_off(public_topic):
    async def scenario():
        comm = communicator(f"/ws/topic/{public_topic.pk}/")
        assert (await comm.connect())[0]
        await receive(comm)
        for _ in range(30):
            await comm.send_json_to({"type": "ping"})
        pongs = 0
        while True:
            message = await receive(comm)
            if message["type"] != "pong":
                break
            pongs += 1
        return pongs, message, await closed_with(comm, 4429)

    pongs, message, closed = run(scenario)
    assert pongs == 10 and message == {"type": "error", "error": "rate_limited"} and closed

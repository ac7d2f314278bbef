"""The same paths over the real Redis channel layer (CI sets REDIS_URL)."""

import pytest

from forum import services
from tests.factories import TopicFactory
from tests.realtime.conftest import communicator, in_thread, receive, run, session_cookie

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


def write(capture, fn, **kwargs):
    def call():
        with capture(execute=True):
            return fn(**kwargs)

    return in_thread(call)()


def test_reply_vote_and_catch_up_over_redis(redis_layer, member, other_member, category,
                                            django_capture_on_commit_callbacks):
    cap = django_capture_on_commit_callbacks
    with cap(execute=True):
        topic = TopicFactory.create(author=member, category=category)

    async def scenario():
        comm = communicator(f"/ws/topic/{topic.pk}/")
        assert (await comm.connect())[0]
        await receive(comm)
        reply = await write(cap, services.post_create, actor=other_member, topic=topic, body="经由 Redis 的回复")
        created = await receive(comm)
        await comm.disconnect()
        await write(cap, services.post_vote, actor=member, post=reply, value=1)
        again = communicator(f"/ws/topic/{topic.pk}/?after={created['seq']}")
        assert (await again.connect())[0]
        missed = await receive(again)
        hello = await receive(again)
        await write(cap, services.post_edit, actor=other_member, post=reply, body="Redis 上改过")
        live = await receive(again)
        await again.disconnect()
        return created, missed, hello, live

    created, missed, hello, live = run(scenario)
    assert created["type"] == "post.created" and "经由 Redis 的回复" in created["html"]
    assert (missed["type"], missed["seq"], missed["score"]) == ("vote.changed", created["seq"] + 1, 1)
    assert hello["seq"] == missed["seq"]
    assert (live["type"], live["seq"]) == ("post.edited", missed["seq"] + 1)


def test_member_notification_and_typing_over_redis(redis_layer, member, other_member, category,
                                                   django_capture_on_commit_callbacks):
    topic = TopicFactory.create(author=member, category=category)
    member_cookie, other_cookie = session_cookie(member), session_cookie(other_member)

    async def scenario():
        inbox = communicator(f"/ws/member/{member.pk}/", member_cookie)
        reader = communicator(f"/ws/topic/{topic.pk}/", member_cookie)
        typist = communicator(f"/ws/topic/{topic.pk}/", other_cookie)
        for comm in (inbox, reader, typist):
            assert (await comm.connect())[0]
            await receive(comm)
        await typist.send_json_to({"type": "typing"})
        typing = await receive(reader)
        await write(django_capture_on_commit_callbacks, services.post_create, actor=other_member, topic=topic,
                    body="@%s 你好" % member.username)
        note = await receive(inbox)
        for comm in (inbox, reader, typist):
            await comm.disconnect()
        return typing, note

    typing, note = run(scenario)
    assert typing["user"]["username"] == other_member.username
    assert note["type"] == "notification" and note["kind"] == "mention" and note["unread"] == 1


def test_an_idle_reader_still_gets_events_after_the_redis_read_timeout(redis_layer, member, other_member, category,
                                                                      django_capture_on_commit_callbacks):
    """channels_redis blocks 5 s per BZPOPMIN; redis-py 8 times reads out after 5 s unless the
    layer's socket_timeout is longer (config/settings.py). Idle for 7 s, then a reply arrives."""
    import asyncio

    topic = TopicFactory.create(author=member, category=category)

    async def scenario():
        comm = communicator(f"/ws/topic/{topic.pk}/")
        assert (await comm.connect())[0]
        await receive(comm)
        await asyncio.sleep(7)
        await write(django_capture_on_commit_callbacks, services.post_create, actor=other_member, topic=topic,
                    body="等了七秒的回复")
        event = await receive(comm)
        await comm.disconnect()
        return event

    assert "等了七秒的回复" in run(scenario)["html"]

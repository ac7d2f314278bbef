"""Private messages live: the conversation's numbered stream (realtime's SequencedConsumer) with
catch-up after a reconnect, skipping muted authors, access cut when a member leaves; outsiders and
staff are refused; the unread count on the member's own channel."""

import pytest
from django.conf import settings as django_settings

from messaging import services
from tests.factories import UserFactory
from tests.realtime.conftest import closed_with, communicator, in_thread, nothing_more, receive, run, session_cookie

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def live_settings(settings, monkeypatch):
    import channels.db

    monkeypatch.setattr(channels.db, "close_old_connections", lambda: None)
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.HUOLI = {**django_settings.HUOLI, "PM_MIN_LEVEL": 1}
    return settings


def write(capture, fn, **kwargs):
    def call():
        with capture(execute=True):
            return fn(**kwargs)

    return in_thread(call)()


@pytest.fixture
def convo(alice, bob, carol, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.conversation_start(actor=alice, recipients=["bob", "carol"], body="大家好")


def test_live_delivery_then_catch_up_after_a_reconnect(convo, alice, bob, django_capture_on_commit_callbacks):
    cap = django_capture_on_commit_callbacks
    cookie = session_cookie(bob)

    async def scenario():
        first = communicator(f"/ws/conversation/{convo.pk}/", cookie)
        assert (await first.connect())[0]
        hello = await receive(first)
        await write(cap, services.message_send, actor=alice, conversation_id=convo.pk, body="第一条**实时**")
        live = await receive(first)
        await first.disconnect()
        await write(cap, services.message_send, actor=alice, conversation_id=convo.pk, body="离线时一")
        await write(cap, services.message_send, actor=alice, conversation_id=convo.pk, body="离线时二")
        again = communicator(f"/ws/conversation/{convo.pk}/?after={live['seq']}", cookie)
        assert (await again.connect())[0]
        missed = [await receive(again), await receive(again)]
        hello_again = await receive(again)
        await write(cap, services.message_send, actor=alice, conversation_id=convo.pk, body="重连后")
        after = await receive(again)
        assert await nothing_more(again)
        await again.disconnect()
        return hello, live, missed, hello_again, after

    hello, live, missed, hello_again, after = run(scenario)
    assert hello == {"type": "hello", "conversation_id": convo.pk, "seq": 1}
    assert live["type"] == "message.created" and live["seq"] == 2 and "<strong>实时</strong>" in live["fragment"]
    assert [m["seq"] for m in missed] == [3, 4] and "离线时一" in missed[0]["fragment"]
    assert hello_again["seq"] == 4 and after["seq"] == 5


def test_muted_author_is_skipped_live_and_in_catch_up(convo, alice, bob, carol, django_capture_on_commit_callbacks):
    cap = django_capture_on_commit_callbacks
    services.member_block(actor=carol, target=bob, kind="ignore")
    cookie = session_cookie(carol)

    async def scenario():
        comm = communicator(f"/ws/conversation/{convo.pk}/?after=0", cookie)
        assert (await comm.connect())[0]
        replay = await receive(comm)
        hello = await receive(comm)
        await write(cap, services.message_send, actor=bob, conversation_id=convo.pk, body="被忽略的人说话")
        await write(cap, services.message_send, actor=alice, conversation_id=convo.pk, body="爱丽丝说话")
        live = await receive(comm)
        assert await nothing_more(comm)
        await comm.disconnect()
        return replay, hello, live

    replay, hello, live = run(scenario)
    assert replay["seq"] == 1 and hello["seq"] == 1
    assert live["seq"] == 3 and "爱丽丝说话" in live["fragment"]  # number 2 (bob's) never reached carol


@pytest.mark.parametrize("who", ["outsider", "staff", "guest", "left"])
def test_outsiders_staff_and_leavers_are_refused(convo, carol, who):
    if who == "left":
        services.conversation_leave(actor=carol, conversation_id=convo.pk)
        user = carol
    else:
        user = {"outsider": UserFactory(), "staff": UserFactory(is_staff=True, is_superuser=True), "guest": None}[who]
    cookie = session_cookie(user)

    async def scenario():
        comm = communicator(f"/ws/conversation/{convo.pk}/?after=0", cookie)
        connected, code = await comm.connect()
        if connected:
            return await closed_with(comm, 4403)
        return code == 4403

    assert run(scenario)


def test_leaving_in_another_tab_cuts_the_stream(convo, carol, django_capture_on_commit_callbacks):
    cap = django_capture_on_commit_callbacks
    cookie = session_cookie(carol)

    async def scenario():
        comm = communicator(f"/ws/conversation/{convo.pk}/", cookie)
        assert (await comm.connect())[0]
        await receive(comm)
        await write(cap, services.conversation_leave, actor=carol, conversation_id=convo.pk)
        revoked = await receive(comm)
        return revoked, await closed_with(comm, 4403)

    revoked, closed = run(scenario)
    assert revoked == {"type": "access.revoked", "conversation_id": convo.pk} and closed


def test_unread_count_on_the_member_channel(convo, alice, bob, carol, django_capture_on_commit_callbacks):
    cap = django_capture_on_commit_callbacks
    services.member_block(actor=carol, target=alice, kind="ignore")
    bob_cookie, carol_cookie = session_cookie(bob), session_cookie(carol)

    async def scenario():
        bobs = communicator(f"/ws/member/{bob.pk}/", bob_cookie)
        carols = communicator(f"/ws/member/{carol.pk}/", carol_cookie)
        assert (await bobs.connect())[0] and (await carols.connect())[0]
        await receive(bobs)
        await receive(carols)
        await write(cap, services.message_send, actor=alice, conversation_id=convo.pk, body="有人吗")
        got = await receive(bobs)
        quiet = await nothing_more(carols)
        await bobs.disconnect()
        await carols.disconnect()
        return got, quiet

    got, quiet = run(scenario)
    assert got == {"type": "pm.unread", "pm_unread": 2}
    assert quiet  # carol ignores alice: no notice, no count

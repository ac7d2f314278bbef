"""Never lose an update: reconnecting with the last sequence number replays what was missed."""

import pytest
from channels.layers import get_channel_layer

from forum import services
from forum.moderation import registry
from realtime import publish
from realtime.models import TopicEvent
from realtime.services import topic_event_record, topic_events_prune
from tests.factories import TopicFactory
from tests.realtime.conftest import closed_with, communicator, in_thread, nothing_more, receive, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic(member, category, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return TopicFactory.create(author=member, category=category)


def write(capture, fn, **kwargs):
    def call():
        with capture(execute=True):
            return fn(**kwargs)

    return in_thread(call)()


def test_disconnect_miss_events_reconnect_get_them_in_order_then_live(topic, member, other_member,
                                                                     django_capture_on_commit_callbacks):
    cap = django_capture_on_commit_callbacks

    async def scenario():
        first = communicator(f"/ws/topic/{topic.pk}/")
        assert (await first.connect())[0]
        hello = await receive(first)
        reply = await write(cap, services.post_create, actor=other_member, topic=topic, body="第一条回复")
        seen = await receive(first)
        await first.disconnect()
        # while away: three events
        await write(cap, services.post_create, actor=member, topic=topic, body="离线时的回复一")
        await write(cap, services.post_vote, actor=member, post=reply, value=1)
        await write(cap, services.post_edit, actor=other_member, post=reply, body="离线时改过")
        again = communicator(f"/ws/topic/{topic.pk}/?after={seen['seq']}")
        assert (await again.connect())[0]
        missed = [await receive(again) for _ in range(3)]
        hello_again = await receive(again)
        await write(cap, services.post_create, actor=other_member, topic=topic, body="重连后的新回复")
        live = await receive(again)
        assert await nothing_more(again)
        await again.disconnect()
        return hello, seen, missed, hello_again, live

    hello, seen, missed, hello_again, live = run(scenario)
    assert hello["seq"] == 1 and seen["seq"] == 2
    assert [(e["seq"], e["type"]) for e in missed] == [(3, "post.created"), (4, "vote.changed"), (5, "post.edited")]
    assert "离线时的回复一" in missed[0]["html"]
    assert missed[1]["score"] == 1 and missed[2]["html"] == "<p>离线时改过</p>\n"
    assert hello_again["seq"] == 5
    assert live["seq"] == 6 and "重连后的新回复" in live["html"]


def test_replay_redacts_a_post_hidden_after_it_was_published(topic, other_member, moderator,
                                                            django_capture_on_commit_callbacks):
    cap = django_capture_on_commit_callbacks
    with cap(execute=True):
        reply = services.post_create(actor=other_member, topic=topic, body="后来被隐藏的秘密内容")
    with cap(execute=True):
        registry.run("post", "hide", actor=moderator, obj=reply)
    assert "秘密内容" in TopicEvent.objects.get(topic=topic, seq=2).payload["html"]

    async def scenario():
        comm = communicator(f"/ws/topic/{topic.pk}/?after=1")
        assert (await comm.connect())[0]
        raw = []
        for _ in range(2):
            text = await comm.receive_from(3)
            raw.append(text)
        await comm.disconnect()
        return raw

    created, hidden = run(scenario)
    assert '"type":"post.created"' in created and '"redacted":true' in created
    assert "秘密内容" not in created and "秘密内容" not in hidden
    assert '"type":"post.hidden"' in hidden


def test_a_gap_in_live_events_is_filled_from_the_log_and_duplicates_dropped(topic):
    """Two publishers can finish out of order; the reader still sees 2, 3 in order, once each."""

    async def scenario():
        comm = communicator(f"/ws/topic/{topic.pk}/")
        assert (await comm.connect())[0]
        await receive(comm)

        def record_two():
            a = topic_event_record(topic_id=topic.pk, type="poll.changed", payload={"type": "poll.changed", "n": 1})
            b = topic_event_record(topic_id=topic.pk, type="poll.changed", payload={"type": "poll.changed", "n": 2})
            return a, b

        (seq_a, _), (seq_b, _) = await in_thread(record_two)()
        layer = get_channel_layer()
        text_b = publish.dumps({"type": "poll.changed", "n": 2, "seq": seq_b})
        text_a = publish.dumps({"type": "poll.changed", "n": 1, "seq": seq_a})
        await layer.group_send(publish.topic_group(topic.pk),
                               {"type": "topic.event", "seq": seq_b, "event_type": "poll.changed", "text": text_b})
        await layer.group_send(publish.topic_group(topic.pk),
                               {"type": "topic.event", "seq": seq_a, "event_type": "poll.changed", "text": text_a})
        got = [await receive(comm), await receive(comm)]
        assert await nothing_more(comm)
        await comm.disconnect()
        return got

    got = run(scenario)
    assert [(e["seq"], e["n"]) for e in got] == [(2, 1), (3, 2)]


@pytest.mark.parametrize("after", ["0", "99"], ids=["pruned", "ahead-of-log"])
def test_a_gap_that_cannot_be_filled_tells_the_client_to_reload(topic, settings, after):
    settings.HUOLI = {**settings.HUOLI, "LIVE_EVENTS_KEPT": 10}
    for n in range(60):
        topic_event_record(topic_id=topic.pk, type="poll.changed", payload={"n": n})
    # seq 1..61 were handed out; at 50 everything up to 40 was pruned
    assert TopicEvent.objects.filter(topic=topic).order_by("seq").first().seq == 41

    async def scenario():
        comm = communicator(f"/ws/topic/{topic.pk}/?after={after}")
        assert (await comm.connect())[0]
        message = await receive(comm)
        closed = await closed_with(comm, 4000)
        return message, closed

    message, closed = run(scenario)
    assert message == {"type": "reload", "reason": "gap"} and closed


def test_too_many_missed_events_means_reload(topic, settings):
    settings.HUOLI = {**settings.HUOLI, "LIVE_CATCHUP_MAX": 5}
    for n in range(6):
        topic_event_record(topic_id=topic.pk, type="poll.changed", payload={"n": n})

    async def scenario(after):
        comm = communicator(f"/ws/topic/{topic.pk}/?after={after}")
        assert (await comm.connect())[0]
        message = await receive(comm)
        await comm.disconnect()
        return message

    assert run(scenario, 1)["type"] == "reload"  # 6 missed > 5
    assert run(scenario, 2) == {"type": "poll.changed", "n": 1, "seq": 3}  # 5 missed: replayed


def test_sequence_numbers_only_grow_and_are_stored(topic):
    seqs = [topic_event_record(topic_id=topic.pk, type="x.y", payload={})[0] for _ in range(5)]
    assert seqs == [2, 3, 4, 5, 6]
    topic.refresh_from_db()
    assert topic.event_seq == 6
    assert list(TopicEvent.objects.filter(topic=topic).values_list("seq", flat=True)) == [1, 2, 3, 4, 5, 6]
    assert topic_event_record(topic_id=999999, type="x.y", payload={}) is None


def test_old_events_are_pruned_by_age(topic):
    from datetime import timedelta

    from django.utils import timezone

    from realtime.tasks import topic_events_prune as prune_task

    topic_event_record(topic_id=topic.pk, type="x.y", payload={})
    TopicEvent.objects.filter(seq=1).update(created_at=timezone.now() - timedelta(days=40))
    assert prune_task.delay(30).get() == 1
    assert list(TopicEvent.objects.values_list("seq", flat=True)) == [2]
    assert topic_events_prune(older_than=timedelta(days=30)) == 0

"""The transactional outbox (forum.outbox): after-commit effects are rows written with the
change, relayed to Celery, marked done when their task ran, and sent again by the sweep when the
broker lost them. Also the transient-error retry (forum.lib.db) and its 503s."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import OperationalError, transaction
from django.utils import timezone

from engagement.points.models import PointsEntry
from engagement.points.selectors import accounts_out_of_balance
from forum import outbox, services
from forum.lib import db as dblib
from forum.models import Notification, OutboxMessage
from search.models import SearchEntry
from tests.factories import CategoryFactory, TopicFactory, UserFactory

# transaction=True: on_commit callbacks run for real; serialized_rollback keeps the seeded points rules
# serial: transactional tests flush the database, so they run alone (scripts/test, the serial stage)
pytestmark = [pytest.mark.serial, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def later(minutes=5):
    return timezone.now() + timedelta(minutes=minutes)


def _effects(topic, replier, author):
    posts = list(topic.posts.order_by("number"))
    return {
        "indexed": SearchEntry.objects.filter(object_type="post", object_id__in=[p.pk for p in posts]).count(),
        "reply_points": PointsEntry.objects.filter(member=replier, reason="reply_created").count(),
        "notified": Notification.objects.filter(recipient=author, kind=Notification.Kind.REPLY).count(),
    }


def test_the_effects_of_a_reply_are_rows_of_its_own_transaction():
    author, replier = UserFactory(), UserFactory()
    topic = TopicFactory.create(author=author)
    before = OutboxMessage.objects.count()
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            services.post_create(actor=replier, topic=topic, body="回复，随后回滚")
            assert OutboxMessage.objects.count() > before  # written inside the transaction
            raise RuntimeError("roll back")
    assert OutboxMessage.objects.count() == before  # rolled back with the reply: nothing owed

    services.post_create(actor=replier, topic=topic, body="一条真正的回复")
    tasks = set(OutboxMessage.objects.values_list("task", flat=True))
    assert {"forum.tasks.post_notify", "engagement.points.tasks.points_sync_post_task",
            "search.tasks.search_index_objects"} <= tasks
    # eager Celery ran each one here: all done, none pending
    assert outbox.pending_count() == 0


def test_a_broker_that_drops_every_message_loses_no_effect():
    author, replier, voter = UserFactory(), UserFactory(), UserFactory()
    category = CategoryFactory()
    topic = TopicFactory.create(author=author, category=category)
    with mock.patch("forum.tasks.outbox_deliver.delay", return_value=None):  # accepted, then lost
        for n in range(3):
            services.post_create(actor=replier, topic=topic, body=f"断线期间的回复 {n}")
        services.post_vote(actor=voter, post=topic.posts.get(number=2), value=1)
    lost = _effects(topic, replier, author)
    assert lost["reply_points"] == 0 and lost["notified"] == 0
    assert lost["indexed"] == 1  # only the opening post, indexed before the outage
    assert outbox.pending_count() > 0

    # the sweep waits for the deadline: messages that may only be slow are not sent twice at once
    assert outbox.sweep() == 0
    assert outbox.sweep(now=later()) > 0
    assert list(OutboxMessage.objects.filter(done_at__isnull=True).values_list("task", "args", "last_error")) == []
    got = _effects(topic, replier, author)
    assert got["indexed"] == 4
    assert got["reply_points"] == 3
    assert got["notified"] == 3  # the topic's author, once per reply (one unread per post and kind)
    assert PointsEntry.objects.filter(member=topic.posts.get(number=2).author, reason="upvote_received").count() == 1
    # a second sweep, and a stray second delivery of every message, change nothing
    assert outbox.sweep(now=later(60)) == 0
    for pk in OutboxMessage.objects.values_list("pk", flat=True):
        assert outbox.deliver(pk) is False
    assert _effects(topic, replier, author) == got
    assert accounts_out_of_balance(member_ids=[author.pk, replier.pk, voter.pk]) == []


def test_a_broker_that_refuses_connections_does_not_fail_the_write():
    author, replier = UserFactory(), UserFactory()
    topic = TopicFactory.create(author=author)
    with mock.patch("forum.tasks.outbox_deliver.delay", side_effect=ConnectionError("broker down")):
        post = services.post_create(actor=replier, topic=topic, body="Redis 宕机时的回复")
    assert post.pk and outbox.pending_count() > 0
    outbox.sweep(now=later())
    assert outbox.pending_count() == 0
    assert PointsEntry.objects.filter(member=replier).count() == 1


def test_a_failing_task_is_retried_with_backoff_and_then_left_for_an_operator(caplog):
    author = UserFactory()
    topic = TopicFactory.create(author=author)
    with mock.patch("forum.services.post_notify_recipients", side_effect=ValueError("boom")):
        services.post_create(actor=UserFactory(), topic=topic, body="通知任务会失败")
        message = OutboxMessage.objects.get(task="forum.tasks.post_notify", done_at__isnull=True)
        assert "ValueError: boom" in message.last_error
        now = timezone.now()
        gaps = []
        for _ in range(outbox.MAX_ATTEMPTS + 2):
            now = now + timedelta(hours=2)
            outbox.sweep(now=now)
            message.refresh_from_db()
            gaps.append(message.due_at - now)
    assert message.attempts == outbox.MAX_ATTEMPTS  # then it stops: no endless loop
    assert gaps[0] < gaps[1] < gaps[2] <= timedelta(hours=1)  # back-off, capped
    assert "left for an operator" in caplog.text
    assert message.done_at is None


def test_done_messages_are_forgotten_after_a_week():
    topic = TopicFactory.create()
    services.post_create(actor=UserFactory(), topic=topic, body="回复")
    assert OutboxMessage.objects.filter(done_at__isnull=False).exists()
    outbox.sweep(now=timezone.now() + timedelta(days=8))
    assert not OutboxMessage.objects.filter(done_at__isnull=False).exists()


# --- transient database errors ------------------------------------------------------------------
def _deadlock(*args, **kwargs):
    return OperationalError("deadlock detected")


def test_a_deadlock_is_retried_in_the_outermost_transaction():
    calls = []

    @dblib.retry_transient
    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise _deadlock()
        return "ok"

    assert flaky() == "ok" and len(calls) == 3

    calls.clear()
    with transaction.atomic(), pytest.raises(OperationalError):
        flaky()  # inside a caller's transaction: no retry, the caller's own rules apply
    assert len(calls) == 1


def test_other_database_errors_are_not_retried():
    calls = []

    @dblib.retry_transient
    def broken():
        calls.append(1)
        raise OperationalError("no such table: nowhere")

    with pytest.raises(OperationalError):
        broken()
    assert len(calls) == 1


def test_a_deadlock_that_outlives_the_retries_answers_503(client, member):
    topic = TopicFactory.create()
    client.force_login(member)
    post = topic.posts.get(number=1)
    with mock.patch("forum.services.Post.objects.select_for_update", side_effect=lambda *a, **k: (_ for _ in ()).throw(_deadlock())):
        page = client.post(f"/p/{post.pk}/vote/", {"value": "1"})
        api = client.post(f"/api/v1/posts/{post.pk}/vote", {"value": 1}, content_type="application/json")
    assert page.status_code == 503 and page["Retry-After"]
    assert "请稍后再试" in page.content.decode()
    assert api.status_code == 503
    assert api.json()["error"]["code"] == "unavailable"


def test_the_relay_command_sends_everything_pending_now():
    from io import StringIO

    from django.core.management import call_command

    author, replier = UserFactory(), UserFactory()
    topic = TopicFactory.create(author=author)
    with mock.patch("forum.tasks.outbox_deliver.delay", return_value=None):
        services.post_create(actor=replier, topic=topic, body="丢失的消息")
    assert outbox.pending_count() > 0
    out = StringIO()
    call_command("outbox_relay", "--all", stdout=out)
    assert outbox.pending_count() == 0
    assert "0" in out.getvalue()
    assert PointsEntry.objects.filter(member=replier, reason="reply_created").count() == 1

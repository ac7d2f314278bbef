"""Listeners of the events app: record participation (who did anything inside a running event)
from the forum's post_created and from polls' and lotteries' own extension points. Receivers run
after commit and hand over to thin, idempotent Celery tasks."""

from django.utils import timezone

from engagement.lotteries import extension as lottery_extension
from engagement.polls import extension as poll_extension
from forum import hooks, outbox

from . import services


@hooks.post_created.connect_durable
def record_post(*, post, actor, **kwargs):
    if services.any_running(post.created_at):
        from .tasks import event_record_post_task

        outbox.enqueue(event_record_post_task, post.pk)


@poll_extension.poll_voted.connect_durable
def record_vote(*, poll, member, ballot, first, **kwargs):
    if first and services.any_running(ballot.created_at):
        from .tasks import event_record_vote_task

        outbox.enqueue(event_record_vote_task, poll.pk, member.pk, ballot.created_at.isoformat())


@lottery_extension.lottery_entered.connect_durable
def record_entry(*, lottery, member, entry, **kwargs):
    if services.any_running(entry.created_at or timezone.now()):
        from .tasks import event_record_entry_task

        outbox.enqueue(event_record_entry_task, lottery.pk, member.pk, entry.created_at.isoformat())

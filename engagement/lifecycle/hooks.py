"""Lifecycle listeners: a member who posts or votes while a recall of theirs is open came back.
The check is one indexed query; the marking (and any bonus points) runs in a task."""

from forum import hooks, outbox

from .models import RecallRecipient


def _came_back(member_id):
    if RecallRecipient.objects.filter(member_id=member_id, returned_at__isnull=True).exists():
        from .tasks import recall_mark_returned_task

        outbox.enqueue(recall_mark_returned_task, member_id)


@hooks.post_created.connect_durable
def on_post_created(*, post, actor, **kwargs):
    _came_back(post.author_id)


@hooks.vote_changed.connect_durable
def on_vote_changed(*, post, actor, old, new, **kwargs):
    if new:
        _came_back(actor.pk)

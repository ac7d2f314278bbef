"""Listeners of the points app. Forum events arrive after commit and hand over to Celery tasks
that reconcile the ledger (never Django signals for awards)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from forum import hooks, outbox

from . import selectors
from .models import CategoryMultiplier, PointsRule, TimedMultiplier


@hooks.post_created.connect_durable
def award_post(*, post, actor, **kwargs):
    from .tasks import points_sync_post_task

    outbox.enqueue(points_sync_post_task, post.pk)


@hooks.post_hidden.connect_durable
def resync_hidden_post(*, post, actor, hidden, **kwargs):
    from .tasks import points_sync_post_task

    outbox.enqueue(points_sync_post_task, post.pk)


@hooks.topic_changed.connect_durable
def resync_hidden_topic(*, topic, actor, change, **kwargs):
    if change == "hidden":
        from .tasks import points_sync_topic_task

        outbox.enqueue(points_sync_topic_task, topic.pk)


@hooks.vote_changed.connect_durable
def award_upvote(*, post, actor, old, new, **kwargs):
    if old == 1 or new == 1:
        from .tasks import points_sync_upvote_task

        outbox.enqueue(points_sync_upvote_task, post.pk, actor.pk)


@hooks.content_featured.connect_durable
def award_featured(*, obj, actor, featured, **kwargs):
    from .tasks import points_sync_featured_task

    meta = obj._meta
    outbox.enqueue(points_sync_featured_task, f"{meta.app_label}.{meta.model_name}", obj.pk)


# Cache upkeep only (the one use of signals the conventions allow): drop the rules snapshot
# whenever an operator edits a rule or a multiplier in the admin.
def _rules_changed(**kwargs):
    selectors.rules_invalidate()
    transaction.on_commit(selectors.rules_invalidate)  # and again once the edit is visible to all


for _model in (PointsRule, CategoryMultiplier, TimedMultiplier):
    post_save.connect(_rules_changed, sender=_model, dispatch_uid=f"points-rules-{_model.__name__}-save")
    post_delete.connect(_rules_changed, sender=_model, dispatch_uid=f"points-rules-{_model.__name__}-delete")

"""Listeners of the badges app: each event that can complete a badge rule asks for an evaluation
of the rules it concerns (a Celery task, after commit)."""

from engagement import extension
from engagement.points.models import PointsEntry, PointsRule
from forum import hooks, outbox

from .models import Badge

# the chosen badge next to names: forum pages select it with their members
if "badge_choice__badge" not in hooks.member_select_related:
    hooks.member_select_related.append("badge_choice__badge")


def _evaluate(member_id, *rules):
    from .tasks import badges_evaluate_task

    outbox.enqueue(badges_evaluate_task, member_id, [str(r) for r in rules])


@hooks.topic_created.connect_durable
def first_topic(*, topic, actor, **kwargs):
    _evaluate(topic.author_id, Badge.Rule.FIRST_TOPIC)


@hooks.vote_changed.connect_durable
def upvotes_received(*, post, actor, old, new, **kwargs):
    if new == 1:
        _evaluate(post.author_id, Badge.Rule.UPVOTES_RECEIVED)


@extension.points_changed.connect_durable
def first_featured(*, member_id, entry, **kwargs):
    if entry.reason == PointsRule.FEATURED and entry.kind == PointsEntry.Kind.EARN:
        _evaluate(member_id, Badge.Rule.FIRST_FEATURED)


@extension.checked_in.connect_durable
def streak(*, member, checkin, stats, **kwargs):
    _evaluate(member.pk, Badge.Rule.CHECKIN_STREAK)


@extension.level_changed.connect_durable
def level_reached(*, member, old_level, new_level, **kwargs):
    _evaluate(member.pk, Badge.Rule.LEVEL_REACHED)

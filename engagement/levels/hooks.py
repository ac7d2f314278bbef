"""Listeners of the levels app: level privileges as a forum policy, and level changes when lifetime
earned points cross a threshold."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from engagement import extension
from forum import hooks

from . import permissions, selectors
from .models import Level

hooks.can_post.connect(permissions.check_post_privileges)
hooks.can_upload_image.connect(permissions.check_upload_image)
if hasattr(hooks, "write_rate"):
    hooks.write_rate.connect(permissions.check_daily_limits)

def apply_moderator_policy(actor, category=None):
    permissions.check_apply_moderator(actor)


# level privileges the forum's moderation asks about (reports, applications to moderate)
if hasattr(hooks, "report_weight"):
    hooks.report_weight.connect(permissions.report_weight)
if hasattr(hooks, "can_apply_moderator"):
    hooks.can_apply_moderator.connect(apply_moderator_policy)

# the level next to names: forum pages select it with their members
if "member_level" not in hooks.member_select_related:
    hooks.member_select_related.append("member_level")


@extension.points_changed.connect
def sync_level_on_threshold(*, member_id, entry, old_lifetime, new_lifetime, **kwargs):
    if selectors.level_for_points(old_lifetime).number != selectors.level_for_points(new_lifetime).number:
        from .tasks import level_sync_task

        level_sync_task.delay(member_id)


# Cache upkeep only: drop the cached ladder when an operator edits a level, then re-sync members.
def _ladder_changed(**kwargs):
    selectors.ladder_invalidate()

    def after_commit():
        from .tasks import levels_recompute_all_task

        selectors.ladder_invalidate()
        levels_recompute_all_task.delay()

    transaction.on_commit(after_commit)


post_save.connect(_ladder_changed, sender=Level, dispatch_uid="levels-ladder-save")
post_delete.connect(_ladder_changed, sender=Level, dispatch_uid="levels-ladder-delete")

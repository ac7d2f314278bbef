"""Who may tip: a signed-in active member at or above the minimum level (settings.HUOLI_TIPS
["MIN_LEVEL"]), who can read the post, and not on their own post."""

from django.utils.translation import gettext as _

from forum.errors import NotAllowed
from forum.permissions import can_read_topic, check_member

from .rules import tip_rules


def check_tip(user, post):
    check_member(user)
    if not post.is_visible or not can_read_topic(user, post.topic):
        raise NotAllowed(_("You may not tip this post."))
    if post.author_id == user.pk:
        raise NotAllowed(_("You cannot tip your own post."), code="own_post")
    min_level = tip_rules()["MIN_LEVEL"]
    if min_level:
        from engagement.levels.selectors import level_by_number, member_level

        level = member_level(user)
        if level.number < min_level:
            needed = level_by_number(min_level)
            raise NotAllowed(_("Tipping needs level %(needed)s or above; you are %(level)s.") % {
                "needed": needed.label if needed else f"Lv{min_level}", "level": level.label}, code="level_too_low")

"""Who may see, enter, create, draw and cancel lotteries.

- Seeing a lottery (page and audit.json): anyone, unless its topic is in a category the reader may
  not read.
- Entering: a signed-in active member meeting the eligibility rules (checked in the service, which
  knows the time, the member's level, replies and balance).
- Creating, editing, drawing by hand and cancelling: moderators and staff only.
"""

from django.utils.translation import gettext as _

from forum.errors import NotAllowed
from forum.permissions import can_read_topic, check_member, is_moderator


def can_view_lottery(user, lottery):
    return lottery.topic is None or can_read_topic(user, lottery.topic)


def check_view_lottery(user, lottery):
    if not can_view_lottery(user, lottery):
        raise NotAllowed(_("You may not see this lottery."))


def can_manage_lotteries(user):
    return is_moderator(user)


def check_manage_lotteries(user):
    check_member(user)
    if not is_moderator(user):
        raise NotAllowed(_("Only moderators and staff may create, draw or cancel lotteries."),
                         code="moderators_only")


def check_enter(user, lottery):
    check_member(user)
    check_view_lottery(user, lottery)


def level_refusal(user, min_level):
    """The refusal message when `user` is below `min_level`, or None (moderators are not limited)."""
    from engagement.levels.selectors import level_by_number, member_level

    if not min_level or is_moderator(user):
        return None
    level = member_level(user)
    if level.number >= min_level:
        return None
    needed = level_by_number(min_level)
    return _("Entering needs level %(needed)s or above; you are %(level)s.") % {
        "needed": needed.label if needed else f"Lv{min_level}", "level": level.label}

"""Who may create, vote in, close and export polls, as plain check functions.

- A topic's poll is added by the topic's author (with the level privilege "may create polls") or a
  moderator; a poll outside a topic (an event's poll) only by moderators.
- Voting needs a signed-in member who may read the topic and has the poll's minimum level
  (moderators and staff are not limited by levels, as everywhere in engagement.levels).
- Closing early: the poll's author or a moderator. CSV export: moderators.
"""

from django.utils.translation import gettext as _

from engagement.levels import permissions as level_permissions
from engagement.levels.selectors import level_by_number, member_level
from forum.errors import NotAllowed
from forum.permissions import can_moderate, check_member, check_read_topic, is_moderator


def check_read_poll(user, poll):
    if poll.topic is not None:
        check_read_topic(user, poll.topic)


def check_create_poll(user, topic=None):
    check_member(user)
    if topic is None:
        if not is_moderator(user):
            raise NotAllowed(_("Only moderators may create polls outside a topic."), code="moderators_only")
        return
    check_read_topic(user, topic)
    if topic.author_id != user.pk and not is_moderator(user):
        raise NotAllowed(_("Only the topic's author may add a poll to it."), code="not_author")
    if topic.is_locked and not is_moderator(user):
        raise NotAllowed(_("This topic is locked."), code="locked")
    level_permissions.check_create_poll(user)


def can_create_poll(user, topic=None):
    try:
        check_create_poll(user, topic)
    except NotAllowed:
        return False
    return True


def level_refusal(user, min_level):
    """The refusal message when `user` is below `min_level`, or None when the level suffices."""
    if not min_level or is_moderator(user):
        return None
    level = member_level(user)
    if level.number >= min_level:
        return None
    needed = level_by_number(min_level)
    label = needed.label if needed else f"Lv{min_level}"
    return _("This needs level %(needed)s or above; you are %(level)s.") % {"needed": label, "level": level.label}


def check_vote(user, poll):
    check_member(user)
    check_read_poll(user, poll)
    refusal = level_refusal(user, poll.min_level)
    if refusal:
        raise NotAllowed(refusal, code="level")


def can_manage_poll(user, poll):
    """Its author, a global moderator, or a moderator of the category its topic is in (a category
    moderator's powers stop at their categories; members who moderate nothing cost no query)."""
    if not user.is_authenticated:
        return False
    if is_moderator(user) or poll.author_id == user.pk:
        return True
    if poll.topic_id is None or not getattr(user, "moderates_categories", False):
        return False
    return can_moderate(user, poll.topic)


def check_close_poll(user, poll):
    check_member(user)
    if not can_manage_poll(user, poll):
        raise NotAllowed(_("Only the poll's author or a moderator may close it."))


def can_export_poll(user):
    return is_moderator(user)


def check_export_poll(user):
    check_member(user)
    if not can_export_poll(user):
        raise NotAllowed(_("Only moderators may export poll results."))


def can_see_results(user, poll, *, voted, at):
    if poll.results_visibility == poll.Results.ALWAYS or not poll.is_open_at(at) or is_moderator(user):
        return True
    return poll.results_visibility == poll.Results.AFTER_VOTE and voted


def can_see_voters(user, poll, *, voted, at):
    return not poll.is_anonymous and can_see_results(user, poll, voted=voted, at=at)

"""Who may do what with private messages. Refusals name what to do; a member who is not (or no
longer) in a conversation, staff included, gets the same refusal as for one that does not exist."""

from django.utils.translation import gettext as _

from engagement.levels import selectors as levels
from forum.errors import NotAllowed
from forum.permissions import check_member, check_not_silenced, is_moderator

from . import conf
from .models import MemberBlock, MessageReport, Participant

NOT_FOUND = "pm_not_found"


def _exempt(user):
    return user.is_authenticated and (user.is_staff or is_moderator(user))


def active_participant(user, conversation_id):
    """The member's active Participant row of the conversation, or None."""
    if not user.is_authenticated:
        return None
    return Participant.objects.filter(conversation_id=conversation_id, member=user, left_at__isnull=True).first()


def check_participant(user, conversation_id):
    check_member(user)
    participant = active_participant(user, conversation_id)
    if participant is None:
        raise NotAllowed(_("This conversation does not exist or you are not in it."), code=NOT_FOUND)
    return participant


def check_start_conversation(user):
    """Level and silence; the per-day limit is counted by the service."""
    check_member(user)
    check_not_silenced(user)
    if _exempt(user):
        return
    needed = conf.min_level()
    level = levels.member_level(user)
    if level.number < needed:
        wanted = levels.level_by_number(needed)
        raise NotAllowed(_("Starting private conversations needs level %(needed)s or above.") % {
            "needed": wanted.label if wanted is not None else needed}, code="pm_level")


def blocked_by(member_ids, user):
    """Of `member_ids`, those who block `user` (kind block, not ignore)."""
    return set(MemberBlock.objects.filter(member_id__in=member_ids, target=user, kind=MemberBlock.Kind.BLOCK)
               .values_list("member_id", flat=True))


def hidden_authors(user):
    """Members whose messages `user` does not see (blocked or ignored)."""
    return set(MemberBlock.objects.filter(member=user).values_list("target_id", flat=True))


def check_send(user, conversation_id):
    participant = check_participant(user, conversation_id)
    check_not_silenced(user)
    others = list(Participant.objects.filter(conversation_id=conversation_id, left_at__isnull=True)
                  .exclude(member=user).values_list("member_id", flat=True))
    if not others:
        raise NotAllowed(_("Everyone else has left this conversation."), code="pm_alone")
    if len(others) == 1 and blocked_by(others, user):
        raise NotAllowed(_("This member does not accept your messages."), code="pm_blocked")
    return participant


def can_handle_reports(user):
    return _exempt(user)


def check_handle_reports(user):
    check_member(user)
    if not can_handle_reports(user):
        raise NotAllowed(_("Only moderators handle reported messages."))


def check_report(user, message):
    check_participant(user, message.conversation_id)
    if message.author_id == user.pk:
        raise NotAllowed(_("You cannot report your own message."), code="pm_own")
    if MessageReport.objects.filter(message=message, reporter=user).exists():
        raise NotAllowed(_("You have already reported this message."), code="pm_reported")

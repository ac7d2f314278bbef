"""Events are public to read; only moderators and staff create, edit or cancel them (and add their
polls and lotteries)."""

from django.utils.translation import gettext as _

from forum.errors import NotAllowed
from forum.permissions import check_member, is_moderator


def can_manage_events(user):
    return is_moderator(user)


def check_manage_events(user):
    check_member(user)
    if not is_moderator(user):
        raise NotAllowed(_("Only moderators and staff may create, edit or cancel events."), code="moderators_only")

"""Only moderators (and staff) see the lifecycle dashboard and send recall campaigns."""

from django.utils.translation import gettext as _

from forum.errors import NotAllowed
from forum.permissions import check_member, is_moderator


def can_manage_lifecycle(user):
    return is_moderator(user)


def check_manage_lifecycle(user):
    check_member(user)
    if not can_manage_lifecycle(user):
        raise NotAllowed(_("Only moderators may see the member lifecycle and send recalls."), code="moderators_only")

"""Only moderators (and staff) see KOL candidates and decide on them."""

from django.utils.translation import gettext as _

from forum.errors import NotAllowed
from forum.permissions import check_member, is_moderator


def can_manage_kol(user):
    return is_moderator(user)


def check_manage_kol(user):
    check_member(user)
    if not can_manage_kol(user):
        raise NotAllowed(_("Only moderators may see and decide on KOL candidates."), code="moderators_only")

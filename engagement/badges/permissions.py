from django.utils.translation import gettext as _

from forum.errors import NotAllowed
from forum.permissions import check_member, is_moderator


def can_manage_badges(user):
    return is_moderator(user)


def check_manage_badges(user):
    check_member(user)
    if not can_manage_badges(user):
        raise NotAllowed(_("Only moderators may grant or revoke badges."))

from django.utils.translation import gettext as _

from forum.errors import NotAllowed
from forum.permissions import check_member, is_moderator


def can_adjust_points(user):
    return user.is_authenticated and user.is_active and (
        user.is_staff or user.has_perm("points.add_pointsentry")
    )


def check_adjust_points(user):
    """Manual grants, deductions and reversals: staff only."""
    check_member(user)
    if not can_adjust_points(user):
        raise NotAllowed(_("Only staff may grant, deduct or reverse points."))


def can_view_points_history(user, member):
    return user.is_authenticated and (user.pk == member.pk or is_moderator(user))


def check_view_points_history(user, member):
    if not can_view_points_history(user, member):
        raise NotAllowed(_("Only the member and moderators may see a points history."))

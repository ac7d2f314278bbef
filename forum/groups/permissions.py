"""Who may do what in a group, as plain check functions. A group's powers (admit, pin, lock, hide,
remove, mute, kick) belong to staff, the group's owners and its deputies whose powers are on (handbook
acknowledged, not suspended); nobody else, and these powers reach nothing outside the group."""

from django.utils.translation import gettext as _

from .. import permissions as forum_permissions
from ..errors import Conflict, NotAllowed
from .models import MemberGroup, Membership


def membership_of(user, group):
    """The user's membership of `group` or None, cached on the user for the request."""
    if not getattr(user, "is_authenticated", False):
        return None
    cache = user.__dict__.setdefault("_huoli_group_memberships", {})
    if group.pk not in cache:
        cache[group.pk] = Membership.objects.filter(group=group, member=user).first()
    return cache[group.pk]


def forget_membership(user, group):
    getattr(user, "_huoli_group_memberships", {}).pop(group.pk, None)
    for attr in ("_huoli_group_ids", "_huoli_group_names"):
        user.__dict__.pop(attr, None)


def is_member(user, group):
    return membership_of(user, group) is not None


def can_see_group(user, group):
    """A hidden group exists only for its members and staff."""
    if group.visibility != MemberGroup.Visibility.HIDDEN:
        return True
    return getattr(user, "is_authenticated", False) and (user.is_staff or is_member(user, group))


def check_see_group(user, group):
    if not can_see_group(user, group):
        from django.http import Http404

        raise Http404


def can_manage(user, group):
    """Staff, an owner, or a deputy whose powers are on."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or getattr(user, "is_banned", False):
        return False
    if user.is_staff:
        return True
    membership = membership_of(user, group)
    return membership is not None and membership.has_powers


def check_manage(user, group):
    forum_permissions.check_member(user)
    if can_manage(user, group):
        return
    membership = membership_of(user, group)
    if membership is not None and membership.role == Membership.Role.DEPUTY:
        if membership.suspended_at is not None:
            raise NotAllowed(_("Your deputy powers in this group are suspended."), code="deputy_suspended")
        raise NotAllowed(_("Read and acknowledge the group handbook first: your deputy powers start then."),
                         code="handbook_required")
    raise NotAllowed(_("Only the group's owners and deputy owners may do this."), code="not_group_owner")


def check_owner(user, group):
    """Owners and staff only (appointing deputies, promoting into the main group)."""
    forum_permissions.check_member(user)
    if user.is_staff:
        return
    membership = membership_of(user, group)
    if membership is None or membership.role != Membership.Role.OWNER:
        raise NotAllowed(_("Only the group's owners may do this."), code="not_group_owner")


def check_join(user, group):
    forum_permissions.check_member(user)
    forum_permissions.check_not_silenced(user)
    check_see_group(user, group)
    if is_member(user, group):
        raise Conflict(_("You are already a member of this group."), code="already_member")

"""Who may follow what: a signed-in, active, unbanned member; not themselves; a category only if they
may read it (a private category's name is not theirs to learn by following it)."""

from django.utils.translation import gettext as _

from forum.errors import InvalidInput
from forum.permissions import check_member, check_read_category


def check_follow(actor, *, member=None, category=None, tag=None):
    check_member(actor)
    if member is not None and member.pk == actor.pk:
        raise InvalidInput(_("You cannot follow yourself."), code="self_follow")
    if member is not None and not member.is_active:
        raise InvalidInput(_("This member's account is not active."), code="inactive")
    if category is not None:
        check_read_category(actor, category)

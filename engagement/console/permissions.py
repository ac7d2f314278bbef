"""Operators (运营) read the console: staff, and members of the Operators group."""

from django.utils.translation import gettext as _

from forum.errors import NotAllowed
from forum.permissions import check_member, group_names

OPERATORS = "Operators"


def can_use_console(user):
    return bool(user.is_authenticated and user.is_active and (user.is_staff or OPERATORS in group_names(user)))


def check_use_console(user):
    check_member(user)
    if not can_use_console(user):
        raise NotAllowed(_("Only staff and operators may open the operator's console."), code="operators_only")

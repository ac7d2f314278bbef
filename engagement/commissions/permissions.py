"""Who may do what with a commission: editors (the Editors group, and staff) invite, review and
cancel; only the invited writer responds and submits; anyone may see a paid commission; an open one
is seen by its writer and by editors."""

from django.utils.translation import gettext as _

from forum.errors import NotAllowed
from forum.permissions import check_member, is_editor


def can_commission(user):
    return bool(user and user.is_authenticated and user.is_active and is_editor(user))


def check_commission(user):
    check_member(user)
    if not can_commission(user):
        raise NotAllowed(_("Only editors may commission content."), code="not_editor")


def check_writer(user, commission):
    check_member(user)
    if user.pk != commission.writer_id:
        raise NotAllowed(_("Only the invited writer may do this."), code="not_writer")


def can_view(user, commission):
    if commission.status == commission.Status.PAID:
        return True
    return bool(user and user.is_authenticated and (user.pk == commission.writer_id or can_commission(user)))

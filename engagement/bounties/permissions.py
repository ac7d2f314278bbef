from django.utils.translation import gettext as _

from forum.errors import NotAllowed
from forum.permissions import check_member


def check_accept(user, bounty):
    check_member(user)
    if user.pk != bounty.asker_id:
        raise NotAllowed(_("Only the asker may accept an answer."), code="not_asker")

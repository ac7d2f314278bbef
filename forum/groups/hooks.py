"""The groups' listeners on the forum's extension points (imported from GroupsConfig.ready)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from .. import hooks
from ..errors import NotAllowed
from .models import Membership


def _muted_in_group(actor, category, kind="topic", source="", previous=None):
    """A member muted in a group may read it but not post in it until the mute ends. Costs a query only
    for a write in a group's category."""
    if not getattr(category, "pk", None) or actor.is_staff:
        return
    muted = (Membership.objects.filter(group__category_id=category.pk, member_id=actor.pk,
                                       muted_until__gt=timezone.now()).values_list("muted_until", flat=True).first())
    if muted is not None:
        raise NotAllowed(_("You are muted in this group until %(until)s.") % {
            "until": timezone.localtime(muted).strftime("%Y-%m-%d %H:%M")}, code="group_muted")


hooks.can_post.connect(_muted_in_group)

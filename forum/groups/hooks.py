"""The groups' listeners on the forum's extension points (imported from GroupsConfig.ready)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from .. import hooks
from ..errors import NotAllowed
from .models import Membership


def _muted_in_group(actor, category, kind="topic", source="", previous=None, topic=None):
    """A member muted in a group may read it but not post in it until the mute ends. Costs a query only
    for a write in a group's category."""
    if not getattr(category, "pk", None) or actor.is_staff:
        return
    muted = (Membership.objects.filter(group__category_id=category.pk, member_id=actor.pk,
                                       muted_until__gt=timezone.now()).values_list("muted_until", flat=True).first())
    if muted is not None:
        raise NotAllowed(_("You are muted in this group until %(until)s.") % {
            "until": timezone.localtime(muted).strftime("%Y-%m-%d %H:%M")}, code="group_muted")


def _early_access(actor, category, kind="topic", source="", previous=None, topic=None):
    """A recurring group session's topic opens early for its early-access members (seeding): until the
    session opens to everyone (`lead_hours` before it starts), only they, the group's owners and deputies
    and staff may reply, so that their example answers are there first; everyone else reads and waits.
    One indexed query per reply."""
    if kind != "reply" or topic is None or actor.is_staff:
        return
    from .models import GroupEventOccurrence

    now = timezone.now()
    occurrence = (GroupEventOccurrence.objects.filter(topic_id=topic.pk, starts_at__gt=now)
                  .select_related("event").first())
    if occurrence is None:
        return
    public_from = occurrence.starts_at - timedelta(hours=occurrence.event.lead_hours)
    if now >= public_from or occurrence.event.seeds.filter(pk=actor.pk).exists():
        return
    if Membership.objects.filter(group_id=occurrence.event.group_id, member_id=actor.pk,
                                 role__in=[Membership.Role.OWNER, Membership.Role.DEPUTY]).exists():
        return
    raise NotAllowed(_("Early access: this session opens to everyone at %(when)s; until then its early-access "
                       "members answer first.") % {"when": timezone.localtime(public_from).strftime("%Y-%m-%d %H:%M")},
                     code="early_access")


hooks.can_post.connect(_muted_in_group)
hooks.can_post.connect(_early_access)

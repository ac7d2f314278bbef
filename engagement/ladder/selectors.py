"""Who qualifies under a promotion rule: one query per rule, whatever the number of members."""

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from forum.groups.models import Membership
from forum.models import MemberSanction

from ..levels.models import MemberLevel


def qualifiers(*, rule, now=None):
    """The memberships of the rule's sub-group whose members meet every condition and are not yet in the
    main group, each with .featured and .level annotated."""
    now = now or timezone.now()
    sub = rule.group
    if sub.parent_id is None:
        return []
    level = MemberLevel.objects.filter(member=OuterRef("member_id")).values("level_number")[:1]
    sanctioned = MemberSanction.objects.filter(member=OuterRef("member_id"),
                                               starts_at__gte=now - timedelta(days=rule.clean_days))
    in_main = Membership.objects.filter(group_id=sub.parent_id, member=OuterRef("member_id"))
    qs = (Membership.objects.filter(group=sub, joined_at__lte=now - timedelta(days=rule.min_days),
                                    member__is_active=True)
          .annotate(level=level, featured=Count("member__posts", filter=Q(member__posts__is_featured=True,
                                                                            member__posts__is_deleted=False)))
          .filter(~Exists(sanctioned), ~Exists(in_main), featured__gte=rule.min_featured_posts)
          .select_related("member").order_by("joined_at", "id"))
    return [m for m in qs if (m.level or 0) >= rule.min_level]

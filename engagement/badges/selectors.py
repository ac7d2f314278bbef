from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Q

from .models import Badge, MemberBadge


def badge_list():
    """Active badges with how many members hold each."""
    return list(Badge.objects.filter(is_active=True).annotate(
        holder_count=Count("holders", filter=Q(holders__revoked_at__isnull=True))).order_by("position", "id"))


def badge_get(*, slug):
    from django.http import Http404

    badge = Badge.objects.filter(slug=slug, is_active=True).first()
    if badge is None:
        raise Http404
    return badge


def badge_recent_holders(*, badge, limit=50):
    return list(MemberBadge.objects.filter(badge=badge, revoked_at__isnull=True)
                .select_related("member").order_by("-granted_at")[:limit])


def member_badges(*, member, include_revoked=False):
    qs = MemberBadge.objects.filter(member_id=member.pk, badge__is_active=True).select_related("badge")
    if not include_revoked:
        qs = qs.filter(revoked_at__isnull=True)
    return list(qs.order_by("badge__position", "badge_id"))


def chosen_badge(member):
    """The badge shown next to the member's name, or None. No query when the caller used
    select_related("badge_choice__badge")."""
    if member is None or not getattr(member, "pk", None):
        return None
    try:
        choice = member.badge_choice
    except ObjectDoesNotExist:
        return None
    if choice is None or not choice.badge.is_active:
        return None
    return choice.badge

"""Every read the group pages and the API need, with their joins."""

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from .. import selectors as forum_selectors
from ..models import MemberSanction, Post, Report
from . import permissions
from .models import Application, MemberGroup, Membership


def groups_visible(*, user):
    """Main groups with their sub-groups (one query each), hidden groups only to their members and staff."""
    qs = MemberGroup.objects.select_related("cover", "parent").order_by("parent_id", "name", "id")
    if not (user.is_authenticated and user.is_staff):
        visible = ~Q(visibility=MemberGroup.Visibility.HIDDEN)
        if user.is_authenticated:
            visible |= Q(Exists(Membership.objects.filter(group=OuterRef("pk"), member_id=user.pk)))
        qs = qs.filter(visible)
    if user.is_authenticated:
        qs = qs.annotate(is_member=Exists(Membership.objects.filter(group=OuterRef("pk"), member_id=user.pk)))
    groups = list(qs)
    mains = [g for g in groups if g.parent_id is None]
    by_parent = {}
    for g in groups:
        if g.parent_id is not None:
            by_parent.setdefault(g.parent_id, []).append(g)
    for g in mains:
        g.subgroups = by_parent.pop(g.pk, [])
    # sub-groups whose main group the reader may not see still show, on their own
    orphans = [g for children in by_parent.values() for g in children]
    for g in orphans:
        g.subgroups = []
    return mains + orphans


def group_get(*, slug, user):
    group = MemberGroup.objects.select_related("category", "cover", "parent").filter(slug=slug).first()
    if group is None:
        raise Http404
    permissions.check_see_group(user, group)
    return group


def group_topics(*, group, user, page=1, per_page=20, sort="latest"):
    """A page of the group's topics: the forum's category list, so the forum's visibility rule decides."""
    return forum_selectors.topic_list(category=group.category, user=user, sort=sort, page=page, per_page=per_page)


def members(*, group, page=1, per_page=50):
    from django.core.paginator import Paginator

    from .. import hooks

    qs = (Membership.objects.filter(group=group).select_related("member", *hooks.member_related("member"))
          .order_by("role", "joined_at", "id"))
    return forum_selectors.paginate(Paginator(qs, per_page), page)


def pending_applications(*, group, page=1, per_page=30):
    from django.core.paginator import Paginator

    qs = (Application.objects.filter(group=group, status=Application.Status.PENDING)
          .select_related("applicant").order_by("created_at", "id"))
    return forum_selectors.paginate(Paginator(qs, per_page), page)


def application_get(*, group, pk):
    from .. import hooks

    application = Application.objects.select_related("applicant", "reviewed_by", "group",
                                                     *hooks.member_related("applicant")).filter(
        group=group, pk=pk).first()
    if application is None:
        raise Http404
    return application


def my_application(*, group, user):
    if not user.is_authenticated:
        return None
    return (Application.objects.filter(group=group, applicant=user).order_by("-created_at", "-id").first())


def applicant_dossier(*, application, reviewer):
    """What a reviewer needs to judge an applicant on one screen: recent and featured posts the reviewer
    may read, reports on the applicant and their posts, sanctions, and what other apps add (level, KOL
    score) through forum.hooks.member_related on the applicant row."""
    member = application.applicant
    readable = forum_selectors.posts_readable(user=reviewer).filter(author=member)
    recent = list(readable.order_by("-created_at", "-id")[:10])
    featured = list(readable.filter(is_featured=True).order_by("-featured_at", "-id")[:5])
    reports = list(Report.objects.filter(Q(item__member=member) | Q(item__post__author=member))
                   .select_related("item", "reporter").order_by("-created_at", "-id")[:10])
    sanctions = list(MemberSanction.objects.filter(member=member).order_by("-starts_at", "-id")[:10])
    others = list(Application.objects.filter(applicant=member).exclude(pk=application.pk)
                  .select_related("group").order_by("-created_at", "-id")[:5])
    return {"member": member, "recent_posts": recent, "featured_posts": featured, "reports": reports,
            "sanctions": sanctions, "other_applications": others,
            "post_count": Post.objects.filter(author=member, is_deleted=False).count()}


def health(*, group, now=None):
    """Members, members active this week, posts per week (last 4 weeks), admissions and time to review."""
    now = now or timezone.now()
    week = now - timedelta(days=7)
    posts = Post.objects.filter(topic__category_id=group.category_id, is_deleted=False)
    active = posts.filter(created_at__gte=week).values("author_id").distinct().count()
    weeks = []
    for i in range(4):
        start, end = now - timedelta(days=7 * (i + 1)), now - timedelta(days=7 * i)
        weeks.append(posts.filter(created_at__gte=start, created_at__lt=end).count())
    month = now - timedelta(days=30)
    decided = Application.objects.filter(group=group, reviewed_at__gte=month).exclude(
        status=Application.Status.WITHDRAWN)
    counts = decided.aggregate(approved=Count("pk", filter=Q(status=Application.Status.APPROVED)),
                               rejected=Count("pk", filter=Q(status=Application.Status.REJECTED)))
    waits = [(a.reviewed_at - a.created_at).total_seconds() for a in decided.only("created_at", "reviewed_at")]
    return {
        "members": group.member_count, "active_week": active, "posts_per_week": list(reversed(weeks)),
        "approved_30d": counts["approved"], "rejected_30d": counts["rejected"],
        "pending": Application.objects.filter(group=group, status=Application.Status.PENDING).count(),
        "median_review_hours": round(sorted(waits)[len(waits) // 2] / 3600, 1) if waits else None,
    }


def open_proposals(*, group):
    from .models import PromotionProposal

    return list(PromotionProposal.objects.filter(group=group, status=PromotionProposal.Status.PROPOSED)
                .select_related("member", "source").order_by("created_at", "id"))


def health_overview(*, now=None):
    """Group health for every group at once, for the operator's console: what `health` shows one group's
    owners (members, active this week, posts in each of the last 4 weeks, admissions and the median time to
    review in the last 30 days, applications waiting), in four queries whatever the number of groups.
    Main groups come first, each followed by its sub-groups."""
    now = now or timezone.now()
    groups = list(MemberGroup.objects.select_related("parent"))
    groups.sort(key=lambda g: ((g.parent.name if g.parent else g.name), g.parent is not None, g.name))
    if not groups:
        return []
    by_category = {g.category_id: g.pk for g in groups}
    week = now - timedelta(days=7)
    weekly = {f"w{i}": Count("pk", filter=Q(created_at__gte=now - timedelta(days=7 * (i + 1)),
                                            created_at__lt=now - timedelta(days=7 * i))) for i in range(4)}
    posts = {row["topic__category_id"]: row for row in (
        Post.objects.filter(topic__category_id__in=list(by_category), is_deleted=False,
                            created_at__gte=now - timedelta(days=28))
        .values("topic__category_id").order_by()
        .annotate(active=Count("author_id", distinct=True, filter=Q(created_at__gte=week)), **weekly))}
    pending = dict(Application.objects.filter(status=Application.Status.PENDING).values("group_id").order_by()
                   .annotate(n=Count("pk")).values_list("group_id", "n"))
    decided = {}
    for group_id, status, created, reviewed in (
            Application.objects.filter(reviewed_at__gte=now - timedelta(days=30))
            .exclude(status=Application.Status.WITHDRAWN)
            .values_list("group_id", "status", "created_at", "reviewed_at")):
        decided.setdefault(group_id, []).append((status, (reviewed - created).total_seconds()))
    rows = []
    for g in groups:
        p = posts.get(g.category_id, {})
        done = decided.get(g.pk, [])
        waits = sorted(w for _, w in done)
        rows.append({
            "group": g, "is_sub": g.parent_id is not None, "members": g.member_count,
            "active_week": p.get("active", 0), "posts_per_week": [p.get(f"w{i}", 0) for i in (3, 2, 1, 0)],
            "approved_30d": sum(1 for s, _ in done if s == Application.Status.APPROVED),
            "rejected_30d": sum(1 for s, _ in done if s == Application.Status.REJECTED),
            "pending": pending.get(g.pk, 0),
            "median_review_hours": round(waits[len(waits) // 2] / 3600, 1) if waits else None,
        })
    return rows


def invitable_groups(*, user):
    """The groups `user` may invite a member into (services.group_invite): every group for staff, the
    groups they own for owners; main groups first."""
    if not user.is_authenticated:
        return []
    qs = MemberGroup.objects.select_related("parent")
    if not user.is_staff:
        qs = qs.filter(memberships__member=user, memberships__role=Membership.Role.OWNER)
    groups = list(qs)
    groups.sort(key=lambda g: ((g.parent.name if g.parent else g.name), g.parent is not None, g.name))
    return groups

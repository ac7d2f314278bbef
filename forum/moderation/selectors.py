"""Reads for the moderation pages and API: the queue (scoped to what the reader may moderate), an
item with its reports and history, sanctions, applications, the audit log and moderator stats."""

from datetime import timedelta

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from .. import permissions
from ..models import Category, User
from ..selectors import paginate
from .models import CategoryModerator, MemberSanction, ModerationItem, ModeratorApplication

QUEUE_FILTERS = ("kind", "status", "category", "reason", "claimed")


def _scope_q(user, field="category"):
    """Items the reader may moderate: everything for global moderators; their categories otherwise."""
    if permissions.can_moderate(user):
        return Q()
    return Q(**{f"{field}__in": permissions.moderated_category_ids(user)})


def queue_items(*, user, kind=None, status="open", category=None, reason=None, claimed=None, page=1, per_page=25):
    qs = (ModerationItem.objects.filter(_scope_q(user))
          .select_related("post__author", "post__topic", "topic__author", "member", "category", "claimed_by",
                          "resolved_by"))
    if kind in ModerationItem.Kind.values:
        qs = qs.filter(kind=kind)
    if status in ModerationItem.Status.values:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category__slug=category)
    if reason:
        qs = qs.filter(reason=reason)
    if claimed == "mine":
        qs = qs.filter(claimed_by=user)
    elif claimed == "unclaimed":
        qs = qs.filter(claimed_by__isnull=True)
    order = ("-weight", "created_at", "id") if status == "open" else ("-resolved_at", "-id")
    return paginate(Paginator(qs.order_by(*order), per_page), page)


def queue_open_count(*, user):
    if not permissions.can_moderate_anywhere(user):
        return 0
    return ModerationItem.objects.filter(_scope_q(user), status=ModerationItem.Status.OPEN).count()


def item_get(*, item_id, user):
    item = (ModerationItem.objects.select_related("post__author", "post__topic__category", "topic__author",
                                                  "topic__category", "member", "category", "claimed_by",
                                                  "resolved_by")
            .filter(pk=item_id).first())
    if item is None:
        raise Http404
    permissions.check_moderate(user, item.category)
    return item


def item_reports(item):
    return list(item.reports.select_related("reporter").order_by("created_at", "id"))


def item_history(item):
    return list(item.events.select_related("actor").order_by("created_at", "id"))


def moderatable_categories(*, user):
    qs = Category.objects.order_by("position", "id")
    if not permissions.can_moderate(user):
        qs = qs.filter(pk__in=permissions.moderated_category_ids(user))
    return list(qs)


def member_for_moderation(*, username):
    member = User.objects.filter(username=username).first()
    if member is None:
        raise Http404
    return member


def member_sanctions(*, member):
    return list(MemberSanction.objects.filter(member=member).select_related("created_by", "lifted_by"))


# --- a member's context, for the moderators' page about them ------------------------------------------
MEMBER_POSTS_PER_PAGE = 20
MEMBER_LIST_LIMIT = 20


def member_posts(*, member, page=1, per_page=MEMBER_POSTS_PER_PAGE):
    """Everything the member wrote, newest first, hidden and deleted posts included (moderators see them)."""
    from ..models import Post

    qs = (Post.objects.filter(author=member).select_related("topic__category")
          .order_by("-created_at", "-id"))
    return paginate(Paginator(qs, per_page), page)


_REPORT_RELATED = ("item__post__topic", "item__topic", "item__member", "reporter")


def member_reports_against(*, member, limit=MEMBER_LIST_LIMIT):
    """Reports on the member, on their topics and on their posts, newest first."""
    from .models import Report

    qs = Report.objects.filter(Q(item__member=member) | Q(item__post__author=member) | Q(item__topic__author=member))
    return list(qs.select_related(*_REPORT_RELATED).order_by("-created_at", "-id")[:limit])


def member_reports_by(*, member, limit=MEMBER_LIST_LIMIT):
    from .models import Report

    return list(Report.objects.filter(reporter=member).select_related(*_REPORT_RELATED)
                .order_by("-created_at", "-id")[:limit])


def member_notes(*, member, limit=50):
    from .models import StaffNote

    return list(StaffNote.objects.filter(member=member).select_related("author").order_by("-created_at", "-id")[:limit])


def category_moderators(*, category=None, active=True):
    qs = CategoryModerator.objects.select_related("member", "category", "appointed_by", "demoted_by")
    if category is not None:
        qs = qs.filter(category=category)
    if active is not None:
        qs = qs.filter(is_active=active)
    return list(qs.order_by("category__position", "category_id", "appointed_at"))


def applications(*, status="pending", member=None):
    qs = ModeratorApplication.objects.select_related("member", "category", "reviewed_by")
    if status:
        qs = qs.filter(status=status)
    if member is not None:
        qs = qs.filter(member=member)
    return list(qs.order_by("-created_at", "-id"))


# --- audit log -----------------------------------------------------------------------------------
AUDIT_FILTERS = ("action", "actor", "subject", "category", "topic", "object", "since", "until")


def audit_entries(*, user, action=None, actor=None, subject=None, category=None, topic=None, object=None,  # noqa: A002
                  since=None, until=None):
    """The audit log the reader may see: staff everything; global moderators the moderation
    entries; category moderators the entries of their own categories; everyone their own actions.
    Newest first."""
    from audit.models import AuditLog

    qs = AuditLog.objects.select_related("actor", "subject")
    if not user.is_staff:  # and each reader's own actions (events, lotteries, polls they ran)
        if permissions.can_moderate(user):
            qs = qs.filter(Q(action__startswith="moderation.") | Q(actor=user))
        else:
            qs = qs.filter(Q(scope_id__in=permissions.moderated_category_ids(user)) | Q(actor=user))
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(actor__username=actor)
    if subject:
        qs = qs.filter(subject__username=subject)
    if category:
        found = Category.objects.filter(slug=category).values_list("pk", flat=True).first()
        qs = qs.filter(scope_id=found)
    if topic:  # one topic: the entries whose object it is
        qs = qs.filter(target_type="forum.topic", target_id=str(topic))
    if object:  # an object type ("levels.level"), or one object ("levels.level:3")
        target_type, _sep, target_id = object.partition(":")
        qs = qs.filter(target_type=target_type.strip().lower())
        if target_id.strip():
            qs = qs.filter(target_id=target_id.strip())
    if since:
        qs = qs.filter(created_at__date__gte=since)
    if until:
        qs = qs.filter(created_at__date__lte=until)
    return qs.order_by("-created_at", "-id")


def audit_object_types(*, user):
    """[(code, label)] of the object types the log names, for the filter's list."""
    from audit import labels
    from audit.models import AuditLog

    codes = AuditLog.objects.exclude(target_type="").values_list("target_type", flat=True).distinct()
    return sorted(((code, labels.target_type_label(code)) for code in codes), key=lambda c: str(c[1]))


def can_read_audit(user):
    return user.is_authenticated and (user.is_staff or permissions.can_moderate_anywhere(user))


# --- moderator activity ------------------------------------------------------------------------
def moderator_stats(*, days=30, now=None):
    """Per moderator (global and category) over the last `days`: audit actions, reports resolved,
    and the median and mean time from an item's creation to its resolution."""
    from audit.models import AuditLog

    now = now or timezone.now()
    since = now - timedelta(days=days)
    actions = dict(AuditLog.objects.filter(created_at__gte=since, action__startswith="moderation.", actor__isnull=False)
                   .values_list("actor").annotate(n=Count("id")).values_list("actor", "n"))
    resolved = {}
    for resolver, created, resolved_at in (ModerationItem.objects
                                           .filter(resolved_at__gte=since, resolved_by__isnull=False)
                                           .values_list("resolved_by", "created_at", "resolved_at")):
        resolved.setdefault(resolver, []).append((resolved_at - created).total_seconds())
    mod_ids = set(CategoryModerator.objects.filter(is_active=True).values_list("member_id", flat=True))
    mod_ids |= set(User.objects.filter(Q(is_staff=True) | Q(groups__name=permissions.MODERATORS))
                   .values_list("pk", flat=True))
    mod_ids |= set(actions) | set(resolved)
    members = {u.pk: u for u in User.objects.filter(pk__in=mod_ids)}
    categories = {}
    for cm in CategoryModerator.objects.filter(is_active=True).select_related("category"):
        categories.setdefault(cm.member_id, []).append(cm.category.name)
    rows = []
    for pk, member in members.items():
        times = sorted(resolved.get(pk, []))
        median = times[len(times) // 2] if times else None
        rows.append({
            "member": member, "categories": categories.get(pk, []), "actions": actions.get(pk, 0),
            "resolved": len(times), "median_response": timedelta(seconds=median) if median is not None else None,
            "mean_response": timedelta(seconds=sum(times) / len(times)) if times else None,
        })
    rows.sort(key=lambda r: (-r["actions"], -r["resolved"], r["member"].username))
    return rows

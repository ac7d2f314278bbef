"""Choosers for staff screens: search topics, members and categories by what a person remembers (a few
characters of a Chinese title, part of a username, a category name) instead of typing an id, a code or a
URL. One JSON endpoint per kind (/choose/<kind>/?q=...&page=N), staff-only and rate-limited, ten results a
page; the widget (forum/widgets.py, static/js/chooser.js) shows them as a listbox and submits the chosen
key (a topic's number, a member's username, a category's slug) in a hidden input.

Each kind is a small table row: how to search, how to resolve a key typed without JavaScript, and how to
show a row. Reads only: the writes stay in the verbs that the forms call."""

import re
from dataclasses import dataclass

from django.db.models import Q
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from . import permissions
from .errors import ForumError, InvalidInput, NotAllowed
from .lib.api_errors import api_error
from .models import Category, Topic, User
from .ratelimit import rate_limit_hit

PER_PAGE = 10
QUERY_MAX = 100
MAX_PAGE = 500
RATE = (120, 60)  # searches per member per minute: a person typing, never a script walking the tables

_TOPIC_LINK = re.compile(r"/t/(\d{1,12})(?:/|$)")


def can_choose(user):
    """Who may search through the choosers: staff, editors and moderators (the people of staff screens)."""
    return bool(user.is_authenticated and user.is_active
                and (user.is_staff or permissions.can_moderate_anywhere(user) or permissions.can_feature(user)))


def check_choose(user):
    if not can_choose(user):
        raise NotAllowed(_("Only staff, editors and moderators may search here."), code="staff_only")


def _readable_categories(user):
    if user is None or user.is_staff or permissions.can_moderate(user):
        return Category.objects.all()
    return Category.objects.filter(Q(read_group__isnull=True) | Q(read_group__in=permissions.group_ids(user))
                                   | Q(pk__in=permissions.moderated_category_ids(user)))


def _topic_number(text):
    text = text.strip()
    match = _TOPIC_LINK.search(text)
    if match:
        return int(match.group(1))
    text = text.lstrip("#")
    return int(text) if text.isdigit() and len(text) <= 12 else None


# --- the kinds -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Kind:
    name: str
    search: object  # (user, q) -> queryset, in order
    resolve: object  # (user, typed text) -> key or None
    row: object  # obj -> {"value", "label", "detail"}
    labels: object  # (user, keys) -> {key: label}


def _topics(user, q):
    qs = Topic.objects.filter(category__in=_readable_categories(user)).select_related("category", "author")
    if q:
        number = _topic_number(q)
        cond = Q(title__icontains=q) | Q(author__username__icontains=q) | Q(author__display_name__icontains=q)
        if number is not None:
            cond |= Q(pk=number)
        qs = qs.filter(cond)
    return qs.order_by("-last_activity_at", "-id")


def _topic_resolve(user, text):
    number = _topic_number(text)
    if number is not None and _topics(user, "").filter(pk=number).exists():
        return number
    matches = list(_topics(user, "").filter(title=text.strip()).values_list("pk", flat=True)[:2])
    return matches[0] if len(matches) == 1 else None


def _topic_row(topic):
    detail = f"#{topic.pk} · {topic.category.name} · @{topic.author.username}"
    if topic.is_hidden:
        detail += " · " + _("hidden")
    return {"value": str(topic.pk), "label": topic.title, "detail": detail}


def _topic_labels(user, keys):
    ids = [int(k) for k in keys if str(k).isdigit()]
    return {str(pk): title for pk, title in Topic.objects.filter(pk__in=ids).values_list("pk", "title")}


def _members(user, q):
    qs = User.objects.all()
    if q:
        q = q.lstrip("@")
        qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    return qs.order_by("username")


def _member_resolve(user, text):
    text = text.strip().lstrip("@")
    return User.objects.filter(username=text).values_list("username", flat=True).first()


def _member_row(member):
    detail = f"@{member.username}"
    if not member.is_active:
        detail += " · " + _("inactive")
    return {"value": member.username, "label": member.name, "detail": detail}


def _member_labels(user, keys):
    return {u.username: f"{u.name} (@{u.username})" for u in User.objects.filter(username__in=list(keys))}


def _categories(user, q):
    qs = _readable_categories(user)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(slug__icontains=q))
    return qs.order_by("position", "id")


def _category_resolve(user, text):
    text = text.strip()
    found = _categories(user, "").filter(Q(slug=text) | Q(name=text)).values_list("slug", flat=True)[:2]
    found = list(found)
    return found[0] if len(found) == 1 else None


def _category_row(category):
    return {"value": category.slug, "label": category.name, "detail": category.slug}


def _category_labels(user, keys):
    return dict(Category.objects.filter(slug__in=list(keys)).values_list("slug", "name"))


KINDS = {
    "topics": Kind("topics", _topics, _topic_resolve, _topic_row, _topic_labels),
    "members": Kind("members", _members, _member_resolve, _member_row, _member_labels),
    "categories": Kind("categories", _categories, _category_resolve, _category_row, _category_labels),
}


def clean_query(text):
    """The search text: trimmed, spaces collapsed, at most QUERY_MAX characters, no NUL."""
    text = " ".join(str(text or "").split())
    if len(text) > QUERY_MAX:
        raise InvalidInput(_("Search for at most %(n)d characters.") % {"n": QUERY_MAX}, field="q")
    if "\x00" in text or any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        raise InvalidInput(_("The search text contains characters that cannot be searched."), field="q")
    return text


def chooser_search(*, user, kind, q="", page=1):
    """One page of `kind` matching `q`: {"results": [...], "page", "has_next", "has_previous"}."""
    check_choose(user)
    spec = KINDS.get(kind)
    if spec is None:
        raise InvalidInput(_("Unknown kind of object."), field="kind")
    q = clean_query(q)
    start = (page - 1) * PER_PAGE
    rows = list(spec.search(user, q)[start:start + PER_PAGE + 1])
    return {"results": [spec.row(obj) for obj in rows[:PER_PAGE]], "page": page,
            "has_next": len(rows) > PER_PAGE, "has_previous": page > 1, "query": q}


# --- the endpoint --------------------------------------------------------------------------------
def _page(request):
    value = request.GET.get("page", "1") or "1"
    if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
        raise InvalidInput(_("The page must be a number from 1 to %(n)d.") % {"n": MAX_PAGE}, field="page")
    return int(value)


@require_safe
def chooser_view(request, kind):
    """GET /choose/<kind>/?q=&page= -> JSON; errors as the API's envelope (400, 401, 403, 404, 429)."""
    if not request.user.is_authenticated:
        return api_error(status=401, code="not_authenticated", message=_("Sign in to search."))
    if kind not in KINDS:
        return api_error(status=404, code="not_found", message=_("Unknown kind of object."))
    try:
        check_choose(request.user)
        page = _page(request)
        rate_limit_hit(key=f"chooser:{request.user.pk}", limit=RATE[0], window=RATE[1])
        data = chooser_search(user=request.user, kind=kind, q=request.GET.get("q", ""), page=page)
    except ForumError as error:
        response = api_error(status=error.status, code=error.code, message=error.message,
                             field=getattr(error, "field", None))
        if getattr(error, "retry_after", None):
            response["Retry-After"] = str(error.retry_after)
        return response
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, no-store"
    return response

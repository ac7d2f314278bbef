"""Moderation pages (/mod/...): the queue and its items, reports, topic/post/member moderation,
the audit log with CSV export, category moderators, applications and stats. Views parse and call
one verb or selector; rules live in the verbs and forum.permissions."""

import csv
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from .. import permissions
from .. import selectors as forum_selectors
from ..errors import ForumError, InvalidInput, NotAllowed
from ..lib import exports, web
from ..models import Category, Post, Topic
from ..views import post_url, shows_forum_errors, with_status
from . import (
    approval,  # noqa: F401  (resolve dispatches approval items to it)
    bans,
    moderators,
    notes,
    queue,
    registry,
    reports,
    selectors,
)
from .forms import (
    ApplicationForm,
    AppointForm,
    AuditFilterForm,
    LiftForm,
    ModeratorEditForm,
    NoteForm,
    ReportForm,
    ResolveForm,
    ReviewForm,
    SanctionForm,
    TopicModerationForm,
    parse_numbers,
)
from .models import CategoryModerator, MemberSanction, ModerationItem, ModeratorApplication, Report


def banned_response(request, user):
    """The page a banned member sees when signing in: why, by when, and no session."""
    sanction = bans.active_sanction(user, MemberSanction.Kind.BAN)
    return render(request, "forum/moderation/banned.html",
                  {"banned_member": user, "sanction": sanction, "until": user.banned_until}, status=403)


def _render(request, template, context, error=None, status=200):
    if error is not None:
        context = {**context, "error": error}
        return with_status(render(request, template, context, status=error.status), error)
    return render(request, template, context, status=status)


def _require_moderator(request):
    if not permissions.can_moderate_anywhere(request.user):
        raise NotAllowed(_("Only moderators may see this page."), code="not_moderator")


# --- reports -------------------------------------------------------------------------------------
def _report_target(kind, pk, user):
    if kind == "post":
        return forum_selectors.post_get(post_id=pk, user=user)
    if kind == "topic":
        return forum_selectors.topic_get(topic_id=pk, user=user)
    if kind == "member":
        from ..models import User

        member = User.objects.filter(pk=pk, is_active=True).first()
        if member is None:
            raise Http404
        return member
    raise Http404


def _target_url(target):
    if isinstance(target, Post):
        return post_url(target)
    return target.get_absolute_url()


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@shows_forum_errors
def report(request, kind, pk):
    target = _report_target(kind, pk, request.user)
    context = {"target": target, "kind": kind, "back": _target_url(target)}
    if request.method == "POST":
        form = ReportForm(request.POST)
        if not form.is_valid():
            return _render(request, "forum/moderation/report.html", {**context, "form": form},
                           InvalidInput(_("Please correct the errors below.")))
        try:
            reports.report_create(actor=request.user, target=target, reason=form.cleaned_data["reason"],
                                  message=form.cleaned_data["message"])
        except ForumError as error:
            return _render(request, "forum/moderation/report.html", {**context, "form": form}, error)
        messages.success(request, _("Thank you: the moderators will look at your report."))
        return redirect(context["back"])
    reports.check_report(request.user, target)
    return render(request, "forum/moderation/report.html", {**context, "form": ReportForm()})


# --- the queue -----------------------------------------------------------------------------------
@require_safe
@login_required
@shows_forum_errors
def queue_page(request):
    _require_moderator(request)
    filters = {name: (request.GET.get(name) or "").strip()[:60] or None for name in selectors.QUEUE_FILTERS}
    status = filters.pop("status") or "open"
    page = selectors.queue_items(user=request.user, status=status, page=web.page_number(request), **filters)
    params = {k: v for k, v in {**filters, "status": status}.items() if v}
    return render(request, "forum/moderation/queue.html", {
        "page_obj": page, "items": page.object_list, "page_params": params, "filters": filters, "status": status,
        "categories": selectors.moderatable_categories(user=request.user),
        "kinds": ModerationItem.Kind.choices, "reasons": Report.Reason.choices + [(k, v) for k, v in approval.RULES.items()],
    })


def _item_context(request, item):
    return {"item": item, "reports": selectors.item_reports(item), "history": selectors.item_history(item),
            "resolve_form": ResolveForm(), "is_mine": item.claimed_by_id == request.user.pk}


@require_safe
@login_required
@shows_forum_errors
def item_page(request, pk):
    item = selectors.item_get(item_id=pk, user=request.user)
    return render(request, "forum/moderation/item.html", _item_context(request, item))


@require_POST
@login_required
@shows_forum_errors
def item_action(request, pk, action):
    item = selectors.item_get(item_id=pk, user=request.user)
    try:
        if action == "claim":
            queue.item_claim(actor=request.user, item=item)
            messages.success(request, _("You are working on this item."))
        elif action == "release":
            queue.item_release(actor=request.user, item=item)
            messages.success(request, _("Released."))
        elif action == "resolve":
            form = ResolveForm(request.POST)
            if not form.is_valid():
                raise InvalidInput(_("Choose a decision."))
            data = form.cleaned_data
            queue.item_resolve(actor=request.user, item=item, resolution=data["resolution"], note=data["note"],
                               action=data["action"] or "none")
            messages.success(request, _("Resolved."))
            return redirect(reverse("forum:mod_queue"))
        else:
            raise Http404
    except ForumError as error:
        item.refresh_from_db()
        return _render(request, "forum/moderation/item.html", _item_context(request, item), error)
    return redirect(reverse("forum:mod_item", args=[item.pk]))


# --- topics and posts ----------------------------------------------------------------------------
def _topic_context(request, topic, form=None):
    """The move select offers the categories the moderator may move into, never the topic's own, and
    starts on "choose a category" (so no first category is picked by accident)."""
    move_category = request.POST.get("category", "") if request.POST.get("action") == "move" else ""
    return {"topic": topic, "form": form or TopicModerationForm(),
            "categories": [c for c in selectors.moderatable_categories(user=request.user) if c.pk != topic.category_id],
            "move_category": move_category, "can_pin_globally": permissions.can_moderate(request.user)}


def _topic_from(value):
    """The merge target the chooser gave (a topic's id)."""
    if not value:
        raise InvalidInput(_("Choose the topic to merge into."), field="target")
    topic = Topic.objects.select_related("category").filter(pk=int(value)).first()
    if topic is None:
        raise InvalidInput(_("Unknown topic to merge into."), field="target")
    return topic


TOPIC_ACTIONS = registry.names(registry.TOPIC)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@shows_forum_errors
def topic_page(request, pk):
    topic = forum_selectors.topic_get(topic_id=pk, user=request.user)
    permissions.check_moderate(request.user, topic)
    if request.method in ("GET", "HEAD"):
        return render(request, "forum/moderation/topic.html", _topic_context(request, topic))
    form = TopicModerationForm(request.POST)
    action = request.POST.get("action", "")
    try:
        if action not in TOPIC_ACTIONS:
            raise InvalidInput(_("Unknown moderation action."))
        if not form.is_valid():
            raise InvalidInput(_("Please correct the errors below."))
        data, user = form.cleaned_data, request.user
        verb = registry.verb_get(registry.TOPIC, action)
        payload = {"reason": data["reason"], "scope": data["scope"] or "category", "until": data["until"] or None,
                   "category": data["category"] or ""}
        if action == "merge":
            payload["target"] = _topic_from(data["target"])
        elif action == "split":
            try:
                numbers = parse_numbers(data["posts"])
            except ValueError:
                raise InvalidInput(_("Write post numbers like 3, 5-7."), field="posts") from None
            ids = list(Post.objects.filter(topic=topic, number__in=numbers).values_list("pk", flat=True))
            if len(ids) != len(set(numbers)):
                raise InvalidInput(_("Some of those post numbers are not in this topic."), field="posts")
            payload.update(post_ids=ids, title=data["title"], category=request.POST.get("split_category") or None)
        result = registry.run(registry.TOPIC, verb.name, actor=user, obj=topic, data=payload)
    except ForumError as error:
        topic.refresh_from_db()
        return _render(request, "forum/moderation/topic.html", _topic_context(request, topic, form), error)
    if action in ("merge", "split"):  # the merged-into topic, the new topic
        messages.success(request, verb.done_message(result))
        return redirect(result.get_absolute_url())
    topic = Topic.objects.select_related("category").get(pk=topic.pk)
    messages.success(request, verb.done_message(topic))
    return redirect(topic.get_absolute_url())




@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@shows_forum_errors
def post_page(request, pk):
    post = forum_selectors.post_get(post_id=pk, user=request.user)
    permissions.check_moderate(request.user, post)
    initial = {"body": post.source, "title": post.topic.title}
    context = {"post": post, "topic": post.topic, "edit_form": ModeratorEditForm(initial=initial),
               "can_sanction": permissions.can_moderate(request.user)}
    if request.method in ("GET", "HEAD"):
        return render(request, "forum/moderation/post.html", context)
    action = request.POST.get("action", "")
    reason = (request.POST.get("reason") or "").strip()
    try:
        verb = registry.verb_get(registry.POST, action)
        payload = {"reason": reason}
        if action == "edit":
            form = ModeratorEditForm(request.POST)
            context["edit_form"] = form
            if not form.is_valid():
                raise InvalidInput(_("Please correct the errors below."))
            payload = {"body": form.cleaned_data["body"], "reason": form.cleaned_data["reason"],
                       "title": form.cleaned_data["title"] if post.number == 1 else None}
        result = registry.run(registry.POST, verb.name, actor=request.user, obj=post, data=payload)
    except ForumError as error:
        post.refresh_from_db()
        return _render(request, "forum/moderation/post.html", context, error)
    messages.success(request, verb.done_message(result or post))
    return redirect(post_url(post))


# --- members -------------------------------------------------------------------------------------
def _member_context(request, member, **forms):
    page = selectors.member_posts(member=member, page=web.page_number(request))
    return {
        "member": member, "sanctions": selectors.member_sanctions(member=member),
        "can_sanction": bans.can_sanction(request.user, member),
        "form": forms.get("form") or SanctionForm(), "lift_form": LiftForm(),
        "note_form": forms.get("note_form") or NoteForm(), "notes": selectors.member_notes(member=member),
        "page_obj": page, "posts": page.object_list, "page_params": {},
        "reports_against": selectors.member_reports_against(member=member),
        "reports_by": selectors.member_reports_by(member=member),
    }


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@shows_forum_errors
def member_page(request, username):
    """The member's context for moderators: what they wrote, the reports on them and by them, their
    sanctions, level and points (the mod_member slot), the staff's notes; and the sanctions to apply."""
    member = selectors.member_for_moderation(username=username)
    bans.check_member_view(request.user, member)
    if request.method in ("GET", "HEAD"):
        return render(request, "forum/moderation/member.html", _member_context(request, member))
    action = request.POST.get("action", "")
    forms = {}
    try:
        if action == "sanction":
            form = forms["form"] = SanctionForm(request.POST)
            if not form.is_valid():
                raise InvalidInput(_("Please correct the errors below."))
            data = form.cleaned_data
            bans.member_sanction(actor=request.user, member=member, kind=data["kind"], reason=data["reason"],
                                 until=data["until"] or None)
            done = (_("%(name)s is banned.") if data["kind"] == MemberSanction.Kind.BAN
                    else _("%(name)s is silenced.")) % {"name": member.name}
        elif action == "lift":
            sanction = MemberSanction.objects.filter(pk=request.POST.get("sanction") or 0, member=member).first()
            if sanction is None:
                raise InvalidInput(_("Unknown sanction."))
            bans.sanction_lift(actor=request.user, sanction=sanction, reason=request.POST.get("reason", ""))
            done = _("The sanction is lifted.")
        elif action == "remove_posts":
            count = bans.member_remove_all_posts(actor=request.user, member=member,
                                                 reason=request.POST.get("reason", ""))
            done = _("%(n)d posts removed.") % {"n": count}
        elif action == "note":
            form = forms["note_form"] = NoteForm(request.POST)
            if not form.is_valid():
                raise InvalidInput(_("Please correct the errors below."), field="text")
            notes.note_create(actor=request.user, member=member, text=form.cleaned_data["text"])
            done = _("The note is saved; the other moderators will see it here.")
        else:
            raise InvalidInput(_("Unknown moderation action."))
    except ForumError as error:
        member.refresh_from_db()
        return _render(request, "forum/moderation/member.html", _member_context(request, member, **forms), error)
    messages.success(request, done)
    return redirect(reverse("forum:mod_member", args=[member.username]))


# --- audit log -----------------------------------------------------------------------------------
AUDIT_CSV_FIELDS = ("time", "actor", "action", "action_label", "target_type", "target_id", "target", "member",
                    "category_id", "reason", "before", "after", "details")


class _Echo:
    def write(self, value):
        return value


def _csv_cell(value):
    """Neutralise spreadsheet formulas in member-written text (CSV injection): forum.lib.exports decides."""
    return exports.safe_cell("" if value is None else str(value))


def _audit_rows(entries):
    import json

    from audit import labels

    yield AUDIT_CSV_FIELDS
    for e in entries.iterator(chunk_size=500):
        yield [_csv_cell(v) for v in (
            e.created_at.isoformat(), e.actor.username if e.actor_id else "", e.action, labels.action_text(e.action),
            e.target_type, e.target_id,
            e.target_repr, e.subject.username if e.subject_id else "", e.scope_id or "", e.reason,
            json.dumps(e.before, ensure_ascii=False), json.dumps(e.after, ensure_ascii=False),
            json.dumps(e.data, ensure_ascii=False))]


def _audit_target_url(entry, user):
    """A link to the entry's object, without a query: the forum's own pages for topics, posts and
    members, the admin's change page for other objects a staff member may open there."""
    from django.apps import apps
    from django.contrib import admin
    from django.urls import NoReverseMatch

    if not entry.target_id:
        return ""
    if entry.target_type == "forum.topic":
        return reverse("forum:topic_short", args=[entry.target_id])
    if entry.target_type == "forum.post":
        return reverse("forum:post", args=[entry.target_id])
    if entry.target_type == "forum.user" and entry.subject_id and str(entry.subject_id) == entry.target_id:
        return reverse("forum:mod_member", args=[entry.subject.username])
    if not user.is_staff:
        return ""
    try:
        model = apps.get_model(entry.target_type)
    except (LookupError, ValueError):
        return ""
    if not admin.site.is_registered(model):
        return ""
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[entry.target_id])
    except NoReverseMatch:
        return ""


def _audit_view(entries, user):
    from audit import labels

    return [{"entry": e, "action": labels.action_text(e.action), "target_type": labels.target_type_label(e.target_type),
             "target_url": _audit_target_url(e, user), "changes": labels.changes(e)} for e in entries]


@require_safe
@login_required
@shows_forum_errors
def audit_page(request):
    if not selectors.can_read_audit(request.user):
        raise NotAllowed(_("Only staff and moderators may read the audit log."))
    form = AuditFilterForm(request.GET or None, user=request.user)
    from audit import labels

    context = {"form": form, "action_choices": labels.choices(),
               "object_types": selectors.audit_object_types(user=request.user)}
    if request.GET and not form.is_valid():
        context.update(filters={k: request.GET.get(k, "") for k in selectors.AUDIT_FILTERS}, entries=[])
        return _render(request, "forum/moderation/audit.html", context,
                       InvalidInput(_("Please correct the filters below.")))
    data = form.cleaned_data if request.GET else {}
    filters = {name: (str(data[name]) if data.get(name) not in (None, "") else None)
               for name in selectors.AUDIT_FILTERS}
    entries = selectors.audit_entries(user=request.user, **filters)
    if request.GET.get("format") == "csv":
        if not request.user.is_staff:
            raise NotAllowed(_("Only staff may export the audit log."))
        writer = csv.writer(_Echo())
        response = StreamingHttpResponse((writer.writerow(row) for row in _audit_rows(entries)),
                                         content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="audit-{timezone.now():%Y%m%d-%H%M}.csv"'
        return response
    from django.core.paginator import Paginator

    page = forum_selectors.paginate(Paginator(entries, 50), web.page_number(request))
    params = {k: v for k, v in filters.items() if v}
    context.update(page_obj=page, entries=_audit_view(page.object_list, request.user), filters=filters,
                   page_params=params, csv_query=urlencode({**params, "format": "csv"}))
    return render(request, "forum/moderation/audit.html", context)


# --- category moderators, applications, stats ----------------------------------------------------
def _category_by_slug(slug):
    category = Category.objects.filter(slug=(slug or "").strip()).first()
    if category is None:
        raise InvalidInput(_("Unknown category."), field="category")
    return category


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@shows_forum_errors
def moderators_page(request):
    permissions.check_staff(request.user)
    context = {"appointments": selectors.category_moderators(), "applications": selectors.applications(),
               "stats": selectors.moderator_stats(), "form": AppointForm(), "review_form": ReviewForm(),
               "categories": Category.objects.order_by("position", "id")}
    if request.method in ("GET", "HEAD"):
        return render(request, "forum/moderation/moderators.html", context)
    action = request.POST.get("action", "")
    try:
        if action == "appoint":
            form = AppointForm(request.POST)
            context["form"] = form
            if not form.is_valid():
                raise InvalidInput(_("Please correct the errors below."))
            member = selectors.member_for_moderation(username=form.cleaned_data["username"])
            category = _category_by_slug(form.cleaned_data["category"])
            moderators.moderator_appoint(actor=request.user, member=member, category=category,
                                         reason=form.cleaned_data["reason"])
            done = _("%(name)s now moderates “%(category)s”.") % {"name": member.name, "category": category.name}
        elif action == "demote":
            appointment = CategoryModerator.objects.filter(pk=request.POST.get("appointment") or 0).first()
            if appointment is None:
                raise InvalidInput(_("Unknown moderator."))
            moderators.moderator_demote(actor=request.user, appointment=appointment,
                                        reason=request.POST.get("reason", ""))
            done = _("The moderator no longer moderates “%(category)s”.") % {"category": appointment.category.name}
        elif action in ("accept", "reject"):
            application = ModeratorApplication.objects.filter(pk=request.POST.get("application") or 0).first()
            if application is None:
                raise InvalidInput(_("Unknown application."))
            moderators.application_review(actor=request.user, application=application, accept=action == "accept",
                                          note=request.POST.get("note", ""))
            done = _("The application is accepted.") if action == "accept" else _("The application is declined.")
        else:
            raise InvalidInput(_("Unknown action."))
    except (ForumError, Http404) as error:
        if isinstance(error, Http404):
            error = InvalidInput(_("Unknown member."), field="username")
        return _render(request, "forum/moderation/moderators.html", context, error)
    messages.success(request, done)
    return redirect(reverse("forum:mod_moderators"))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@shows_forum_errors
def apply_page(request):
    categories = forum_selectors.category_list(user=request.user)
    context = {"categories": categories, "mine": selectors.applications(status=None, member=request.user)}
    if request.method in ("GET", "HEAD"):
        return render(request, "forum/moderation/apply.html", {**context, "form": ApplicationForm()})
    form = ApplicationForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput(_("Please correct the errors below."))
        moderators.application_create(actor=request.user, category=_category_by_slug(form.cleaned_data["category"]),
                                      motivation=form.cleaned_data["motivation"])
    except ForumError as error:
        return _render(request, "forum/moderation/apply.html", {**context, "form": form}, error)
    messages.success(request, _("Thank you: staff will review your application."))
    return redirect(reverse("forum:mod_apply"))


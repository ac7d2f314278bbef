"""The group pages (/groups/): parse the input, call one service or selector, render. Every refusal is a
page with its message and its 4xx status; a form keeps what the member typed."""

from functools import wraps

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from .. import services as forum_services
from ..errors import ForumError, InvalidInput, RateLimited
from ..lib import web
from ..lib.redirects import safe_next
from ..models import User
from . import permissions, selectors, services
from .forms import GroupForm, GroupTopicForm
from .models import Application, MemberGroup, Membership


def _error_page(request, error, template="forum/error.html", context=None):
    response = render(request, template, {**(context or {}), "error": error}, status=error.status)
    if isinstance(error, RateLimited):
        response["Retry-After"] = str(error.retry_after)
    return response


def shows_errors(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ForumError as error:
            if error.code == "login_required" or (not request.user.is_authenticated and request.method == "POST"):
                return web.login_redirect(request)
            return _error_page(request, error)

    return wrapper


def _member_by_username(username):
    member = User.objects.filter(username=(username or "").strip(), is_active=True).first()
    if member is None:
        raise InvalidInput(_("No member with that username."), field="username")
    return member


def _group_context(request, group):
    user = request.user
    membership = permissions.membership_of(user, group)
    return {"group": group, "membership": membership, "can_manage": permissions.can_manage(user, group),
            "is_owner": user.is_authenticated and (user.is_staff or (
                membership is not None and membership.role == Membership.Role.OWNER))}


# --- reading -----------------------------------------------------------------------------------
@require_safe
@shows_errors
def index(request):
    return render(request, "groups/index.html", {"groups": selectors.groups_visible(user=request.user)})


@require_safe
@shows_errors
def detail(request, slug):
    group = selectors.group_get(slug=slug, user=request.user)
    context = _group_context(request, group)
    from .. import permissions as forum_permissions

    context["can_read"] = forum_permissions.can_read_category(request.user, group.category)
    if context["can_read"]:
        page = selectors.group_topics(group=group, user=request.user, page=web.page_number(request))
        context.update({"page_obj": page, "topics": page.object_list, "page_params": {}})
    context["subgroups"] = [g for g in group.children.all() if permissions.can_see_group(request.user, g)]
    context["my_application"] = selectors.my_application(group=group, user=request.user)
    if context["can_manage"]:
        context["health"] = selectors.health(group=group)
    return render(request, "groups/detail.html", context)


# --- staff and owners: the group itself -----------------------------------------------------------
def _parents(exclude=None):
    qs = MemberGroup.objects.filter(parent__isnull=True).order_by("name")
    return [g for g in qs if g != exclude]


@require_http_methods(["GET", "HEAD", "POST"])
@shows_errors
def create(request):
    from .. import permissions as forum_permissions

    forum_permissions.check_staff(request.user)
    form = GroupForm(request.POST or None, request.FILES or None, parents=_parents())
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "groups/form.html", {"form": form}, status=400)
        data = form.cleaned_data
        parent = MemberGroup.objects.filter(pk=data["parent"]).first() if data.get("parent") else None
        try:
            group = services.group_create(
                actor=request.user, name=data["name"], slug=data["slug"], purpose=data["purpose"],
                rules=data["rules"], visibility=data["visibility"], admission=data["admission"], parent=parent,
                questions=data["questions"], handbook_url=data["handbook_url"])
            if data.get("cover"):
                services.group_set_cover(actor=request.user, group=group, upload=data["cover"])
        except ForumError as error:
            if error.field in form.fields:
                form.add_error(error.field, str(error.message))
            return _error_page(request, error, "groups/form.html", {"form": form})
        messages.success(request, _("The group is created."))
        return redirect(group.get_absolute_url())
    return render(request, "groups/form.html", {"form": form})


@require_http_methods(["GET", "HEAD", "POST"])
@shows_errors
def edit(request, slug):
    group = selectors.group_get(slug=slug, user=request.user)
    permissions.check_owner(request.user, group)
    initial = {"name": group.name, "purpose": group.purpose, "rules": group.rules_source,
               "visibility": group.visibility, "admission": group.admission,
               "questions": "\n".join(group.questions or ()), "handbook_url": group.handbook_url}
    form = GroupForm(request.POST or None, request.FILES or None, initial=initial, editing=True)
    context = {"form": form, "group": group}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "groups/form.html", context, status=400)
        data = form.cleaned_data
        try:
            services.group_edit(
                actor=request.user, group=group, name=data["name"], purpose=data["purpose"], rules=data["rules"],
                visibility=data["visibility"], admission=data["admission"], questions=data["questions"],
                handbook_url=data["handbook_url"] if request.user.is_staff else None)
            if data.get("cover"):
                services.group_set_cover(actor=request.user, group=group, upload=data["cover"])
        except ForumError as error:
            if error.field in form.fields:
                form.add_error(error.field, str(error.message))
            return _error_page(request, error, "groups/form.html", context)
        messages.success(request, _("The group is saved."))
        return redirect(group.get_absolute_url())
    return render(request, "groups/form.html", context)


# --- joining -----------------------------------------------------------------------------------
@require_POST
@shows_errors
def join(request, slug):
    group = selectors.group_get(slug=slug, user=request.user)
    services.group_join(actor=request.user, group=group)
    messages.success(request, _("You are now a member of %(group)s.") % {"group": group.name})
    return redirect(group.get_absolute_url())


@require_POST
@shows_errors
def leave(request, slug):
    group = selectors.group_get(slug=slug, user=request.user)
    services.group_leave(actor=request.user, group=group)
    messages.success(request, _("You have left %(group)s.") % {"group": group.name})
    return redirect(reverse("groups:index"))


@require_http_methods(["GET", "HEAD", "POST"])
@shows_errors
def apply(request, slug):
    group = selectors.group_get(slug=slug, user=request.user)
    if not request.user.is_authenticated:
        return web.login_redirect(request)
    questions = list(enumerate(group.questions or ()))
    answers = [request.POST.get(f"answer_{i}", "") for i, _q in questions]
    context = {**_group_context(request, group), "questions": [(i, q, answers[i] if request.method == "POST" else "")
                                                               for i, q in questions]}
    if request.method == "POST":
        try:
            services.application_create(actor=request.user, group=group, answers=answers)
        except ForumError as error:
            return _error_page(request, error, "groups/apply.html", context)
        messages.success(request, _("Your application is sent. The group's owners will review it."))
        return redirect(group.get_absolute_url())
    return render(request, "groups/apply.html", context)


@require_POST
@shows_errors
def withdraw(request, slug, pk):
    group = selectors.group_get(slug=slug, user=request.user)
    application = selectors.application_get(group=group, pk=pk)
    services.application_withdraw(actor=request.user, application=application)
    messages.success(request, _("Your application is withdrawn."))
    return redirect(group.get_absolute_url())


# --- the group's composer ----------------------------------------------------------------------
@require_http_methods(["GET", "HEAD", "POST"])
@shows_errors
def topic_new(request, slug):
    group = selectors.group_get(slug=slug, user=request.user)
    if not request.user.is_authenticated:
        return web.login_redirect(request)
    from .. import permissions as forum_permissions

    forum_permissions.check_create_topic(request.user, group.category)  # members only: a 403 before any typing
    form = GroupTopicForm(request.POST or None)
    context = {**_group_context(request, group), "form": form}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "groups/topic_new.html", context, status=400)
        try:
            topic = forum_services.topic_create(actor=request.user, category=group.category,
                                                title=form.cleaned_data["title"], body=form.cleaned_data["body"])
        except ForumError as error:
            if error.field in form.fields:
                form.add_error(error.field, str(error.message))
            return _error_page(request, error, "groups/topic_new.html", context)
        return redirect(topic.get_absolute_url())
    return render(request, "groups/topic_new.html", context)


# --- review ------------------------------------------------------------------------------------
@require_safe
@shows_errors
def applications(request, slug):
    group = selectors.group_get(slug=slug, user=request.user)
    permissions.check_manage(request.user, group)
    page = selectors.pending_applications(group=group, page=web.page_number(request))
    return render(request, "groups/applications.html", {**_group_context(request, group), "page_obj": page,
                                                        "applications": page.object_list})


@require_http_methods(["GET", "HEAD", "POST"])
@shows_errors
def application(request, slug, pk):
    group = selectors.group_get(slug=slug, user=request.user)
    permissions.check_manage(request.user, group)
    app = selectors.application_get(group=group, pk=pk)
    context = {**_group_context(request, group), "application": app,
               **selectors.applicant_dossier(application=app, reviewer=request.user)}
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        if decision not in ("approve", "reject"):
            return _error_page(request, InvalidInput(_("Choose approve or reject.")), "groups/application.html",
                               context)
        try:
            services.application_decide(actor=request.user, application=app, approve=decision == "approve",
                                        reason=request.POST.get("reason", ""))
        except ForumError as error:
            context["reason"] = request.POST.get("reason", "")
            return _error_page(request, error, "groups/application.html", context)
        messages.success(request, _("The application is approved.") if decision == "approve"
                         else _("The application is rejected; the applicant sees your reason."))
        nxt = Application.objects.filter(group=group, status=Application.Status.PENDING).order_by("created_at").first()
        return redirect(nxt.get_absolute_url() if nxt else reverse("groups:applications", args=[group.slug]))
    return render(request, "groups/application.html", context)


@require_POST
@shows_errors
def invite(request):
    """Invite a member into a group from another staff screen (the KOL queue's member page): the group by
    slug, the member by username, then back to `next`."""
    group = selectors.group_get(slug=request.POST.get("group", ""), user=request.user)
    member = _member_by_username(request.POST.get("username"))
    services.group_invite(actor=request.user, group=group, member=member, reason=request.POST.get("reason", ""))
    messages.success(request, _("%(name)s is now a member of %(group)s.") % {"name": member.name, "group": group.name})
    return redirect(safe_next(request, request.POST.get("next"), default=group.get_absolute_url()))


# --- members -----------------------------------------------------------------------------------
MEMBER_ACTIONS = ("remove", "mute", "unmute", "kick", "deputy", "deputy_suspend", "deputy_restore",
                  "deputy_remove", "invite", "demote")


@require_http_methods(["GET", "HEAD", "POST"])
@shows_errors
def members(request, slug):
    group = selectors.group_get(slug=slug, user=request.user)
    permissions.check_manage(request.user, group)
    page = selectors.members(group=group, page=web.page_number(request))
    context = {**_group_context(request, group), "page_obj": page, "memberships": page.object_list}
    if request.method in ("GET", "HEAD"):
        return render(request, "groups/members.html", context)
    action = request.POST.get("action", "")
    reason = request.POST.get("reason", "")
    try:
        if action not in MEMBER_ACTIONS:
            raise InvalidInput(_("Unknown action."), field="action")
        member = _member_by_username(request.POST.get("username"))
        if action == "remove":
            services.member_remove(actor=request.user, group=group, member=member, reason=reason)
            done = _("%(name)s is removed from the group.")
        elif action == "mute":
            services.member_mute(actor=request.user, group=group, member=member, until=request.POST.get("until"),
                                 reason=reason)
            done = _("%(name)s is muted in the group.")
        elif action == "unmute":
            services.member_unmute(actor=request.user, group=group, member=member, reason=reason)
            done = _("%(name)s may post in the group again.")
        elif action == "kick":
            hidden = services.kick_advertiser(actor=request.user, group=group, member=member, reason=reason)
            done = _("%(name)s is kicked as an advertiser: removed, %(n)d posts hidden, reported as spam.")
            done = done.replace("%(n)d", str(hidden))
        elif action == "deputy":
            services.deputy_appoint(actor=request.user, group=group, member=member, reason=reason)
            done = _("%(name)s is a deputy owner; the powers start once they acknowledge the handbook.")
        elif action == "demote":
            services.member_demote(actor=request.user, group=group, member=member, reason=reason)
            done = _("%(name)s is demoted from the group.")
        elif action == "invite":
            services.group_invite(actor=request.user, group=group, member=member, reason=reason)
            done = _("%(name)s is now a member of the group.")
        else:
            status = action.removeprefix("deputy_")
            services.deputy_set_status(actor=request.user, group=group, member=member, status=status, reason=reason)
            done = {"suspend": _("%(name)s's deputy powers are suspended."),
                    "restore": _("%(name)s's deputy powers are restored."),
                    "remove": _("%(name)s is no longer a deputy owner.")}[status]
    except ForumError as error:
        return _error_page(request, error, "groups/members.html", context)
    messages.success(request, done % {"name": member.name})
    return redirect(reverse("groups:members", args=[group.slug]))


# --- deputies ----------------------------------------------------------------------------------
@require_http_methods(["GET", "HEAD", "POST"])
@shows_errors
def handbook(request, slug):
    group = selectors.group_get(slug=slug, user=request.user)
    if not request.user.is_authenticated:
        return web.login_redirect(request)
    context = _group_context(request, group)
    membership = context["membership"]
    if membership is None or membership.role != Membership.Role.DEPUTY:
        raise Http404
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            return _error_page(request, InvalidInput(_("Tick the box to confirm that you have read the handbook."),
                                                     field="confirm"), "groups/handbook.html", context)
        services.deputy_acknowledge_handbook(actor=request.user, group=group)
        messages.success(request, _("Thank you: your deputy powers are on."))
        return redirect(group.get_absolute_url())
    return render(request, "groups/handbook.html", context)


# --- the promotion ladder ----------------------------------------------------------------------------
@require_http_methods(["GET", "HEAD", "POST"])
@shows_errors
def promotions(request, slug):
    from .models import PromotionProposal

    group = selectors.group_get(slug=slug, user=request.user)
    permissions.check_owner(request.user, group)
    context = {**_group_context(request, group), "proposals": selectors.open_proposals(group=group)}
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        proposal = PromotionProposal.objects.filter(group=group, pk=request.POST.get("proposal") or 0).first()
        try:
            if decision not in ("promote", "dismiss"):
                raise InvalidInput(_("Choose promote or dismiss."), field="decision")
            if proposal is None:
                raise InvalidInput(_("Unknown proposal."), field="proposal")
            services.promotion_decide(actor=request.user, proposal=proposal, promote=decision == "promote",
                                      reason=request.POST.get("reason", ""))
        except ForumError as error:
            return _error_page(request, error, "groups/promotions.html", context)
        messages.success(request, _("%(name)s is promoted into %(group)s.") % {"name": proposal.member.name,
                                                                                "group": group.name}
                         if decision == "promote" else _("The proposal is dismissed."))
        return redirect(reverse("groups:promotions", args=[group.slug]))
    return render(request, "groups/promotions.html", context)


# --- deputy recruitment ------------------------------------------------------------------------------
@require_http_methods(["GET", "HEAD", "POST"])
@shows_errors
def recruit(request, slug):
    """The group's deputy recruitment: open rounds with their requirements and handbook, the member's own
    standing and application form; for staff, the candidacies to review and a form to open a round."""
    from .models import DeputyCandidacy, RecruitmentRound

    group = selectors.group_get(slug=slug, user=request.user)
    rounds = list(RecruitmentRound.objects.filter(group=group, status=RecruitmentRound.Status.OPEN))
    user = request.user
    for rnd in rounds:
        rnd.unmet = services.round_unmet(round=rnd, member=user) if user.is_authenticated else []
        rnd.mine = (DeputyCandidacy.objects.filter(round=rnd, member=user).first()
                    if user.is_authenticated else None)
        rnd.pending = (list(rnd.candidacies.filter(status=DeputyCandidacy.Status.PENDING).select_related("member"))
                       if user.is_staff else [])
    context = {**_group_context(request, group), "rounds": rounds}
    if request.method in ("GET", "HEAD"):
        return render(request, "groups/recruit.html", context)
    if not user.is_authenticated:
        return web.login_redirect(request)
    action = request.POST.get("action", "")
    try:
        if action == "open":
            services.round_open(actor=user, group=group, title=request.POST.get("title", ""),
                                min_level=request.POST.get("min_level") or 0,
                                min_days=request.POST.get("min_days") or 0,
                                min_posts_30d=request.POST.get("min_posts_30d") or 0,
                                handbook_url=request.POST.get("handbook_url", ""))
            done = _("The recruitment round is open.")
        else:
            rnd = RecruitmentRound.objects.filter(group=group, pk=request.POST.get("round") or 0).first()
            if rnd is None:
                raise InvalidInput(_("Unknown recruitment round."), field="round")
            if action == "close":
                services.round_close(actor=user, round=rnd, reason=request.POST.get("reason", ""))
                done = _("The recruitment round is closed.")
            elif action == "apply":
                services.candidacy_create(actor=user, round=rnd, motivation=request.POST.get("motivation", ""))
                done = _("Your application is sent; staff will review it.")
            elif action in ("appoint", "reject"):
                candidacy = DeputyCandidacy.objects.filter(round=rnd, pk=request.POST.get("candidacy") or 0).first()
                if candidacy is None:
                    raise InvalidInput(_("Unknown candidacy."), field="candidacy")
                services.candidacy_review(actor=user, candidacy=candidacy, appoint=action == "appoint",
                                          note=request.POST.get("note", ""))
                done = (_("Appointed: the powers start once the deputy acknowledges the handbook.")
                        if action == "appoint" else _("The candidacy is rejected."))
            else:
                raise InvalidInput(_("Unknown action."), field="action")
    except ForumError as error:
        context["motivation"] = request.POST.get("motivation", "")
        return _error_page(request, error, "groups/recruit.html", context)
    messages.success(request, done)
    return redirect(reverse("groups:recruit", args=[group.slug]))


# --- group rhythm ------------------------------------------------------------------------------------
@require_http_methods(["GET", "HEAD", "POST"])
@shows_errors
def events(request, slug):
    """The group's recurring sessions and their latest occurrences; owners add one."""
    from . import rhythm
    from .models import GroupEvent

    group = selectors.group_get(slug=slug, user=request.user)
    items = list(GroupEvent.objects.filter(group=group, is_active=True).prefetch_related("seeds"))
    for event in items:
        event.latest = list(event.occurrences.select_related("topic")[:3])
    context = {**_group_context(request, group), "events": items,
               "weekdays": [(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")),
                            (4, _("Friday")), (5, _("Saturday")), (6, _("Sunday"))]}
    if request.method in ("GET", "HEAD"):
        return render(request, "groups/events.html", context)
    if not request.user.is_authenticated:
        return web.login_redirect(request)
    data = request.POST
    try:
        rhythm.group_event_create(
            actor=request.user, group=group, title=data.get("title", ""), body=data.get("body", ""),
            weekday=data.get("weekday"), hour=(data.get("time") or ":").split(":")[0],
            minute=(data.get("time") or ":0").split(":")[-1] or 0, time_zone=data.get("time_zone") or "Asia/Shanghai",
            lead_hours=data.get("lead_hours") or 24, seed_hours=data.get("seed_hours") or 0,
            seeds=[s for s in (data.get("seeds") or "").replace("，", ",").replace(" ", ",").split(",") if s])
    except ForumError as error:
        context["form_data"] = data
        return _error_page(request, error, "groups/events.html", context)
    messages.success(request, _("The recurring event is saved; its topic opens on schedule."))
    return redirect(reverse("groups:events", args=[group.slug]))

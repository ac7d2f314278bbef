"""The KOL candidate queue for moderators: candidates of a period and category with their score
history, a member's history page, and the accept / dismiss / snooze / restore decisions."""

from functools import wraps

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from forum.errors import ForumError
from forum.groups.selectors import invitable_groups
from forum.lib.redirects import safe_next
from forum.lib.web import login_redirect
from forum.views import shows_forum_errors

from . import conf, permissions, selectors, services, svg
from .models import KolDecision


def moderators_only(view):
    """Guests go to sign in; members who are not moderators get 403."""

    @wraps(view)
    @shows_forum_errors
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return login_redirect(request)
        permissions.check_manage_kol(request.user)
        return view(request, *args, **kwargs)

    return wrapper


def _filters(request):
    options = selectors.periods()
    try:
        period = int(request.GET.get("period") or conf.config()["WINDOW_DAYS"])
    except ValueError:
        period = None
    if period not in options:
        period = conf.config()["WINDOW_DAYS"]
    slug = request.GET.get("category", "")
    categories = list(selectors.categories())
    category = next((c for c in categories if c.slug == slug), None)
    return {"period": period, "category": category, "periods": options, "categories": categories}


@require_safe
@moderators_only
def queue(request):
    f = _filters(request)
    run, candidates = selectors.kol_candidates(window_days=f["period"], category=f["category"])
    for c in candidates:
        values = [score for _day, score, _rank in c.history]
        shown = ", ".join("–" if v is None else f"{v:.1f}" for v in values)
        c.spark = svg.sparkline(values=values, title=_("Score over the last %(n)d runs: %(values)s")
                                % {"n": len(values), "values": shown})
    return render(request, "kol/queue.html", {**f, "run": run, "candidates": candidates,
                                              "snooze_days": conf.config()["SNOOZE_DAYS"]})


@require_safe
@moderators_only
def member(request, username):
    user = selectors.member_by_username(username)
    if user is None:
        raise Http404
    f = _filters(request)
    data = selectors.kol_member(member=user, window_days=f["period"], category=f["category"])
    history = data["history"]
    chart = svg.line_chart(
        series=[(_("score"), [s for _d, s, _r in history])],
        labels=[d.strftime("%m-%d") for d, _s, _r in history],
        title=_("KOL score of %(member)s, %(days)d-day window") % {"member": user.name, "days": f["period"]},
        desc=_("One point per scoring run; gaps are runs where the member was not ranked. "
               "The table below lists the same values."),
    ) if history else None
    return render(request, "kol/member.html", {**f, **data, "member": user, "chart": chart,
                                               "snooze_days": conf.config()["SNOOZE_DAYS"],
                                               "invite_groups": invitable_groups(user=request.user)})


@require_safe
@moderators_only
def decisions(request):
    kind = request.GET.get("kind", "")
    return render(request, "kol/decisions.html", {
        "decisions": selectors.kol_decisions(kind=kind)[:200], "kind": kind, "kinds": KolDecision.Kind.choices})


ACTIONS = {
    "accept": (services.kol_accept, _("%(member)s is invited to the KOL programme.")),
    "dismiss": (services.kol_dismiss, _("%(member)s is dismissed and will not be proposed again.")),
    "snooze": (services.kol_snooze, _("%(member)s is snoozed.")),
    "restore": (services.kol_restore, _("%(member)s may be proposed again.")),
}


@require_POST
@moderators_only
def decide(request, username):
    user = selectors.member_by_username(username)
    if user is None:
        raise Http404
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        messages.error(request, _("Choose accept, dismiss, snooze or restore."))
    else:
        service, done = ACTIONS[action]
        kwargs = {"actor": request.user, "member": user, "reason": request.POST.get("reason", "")}
        if action == "snooze":
            kwargs["days"] = request.POST.get("days", "")
        try:
            service(**kwargs)
        except ForumError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, str(done) % {"member": user.name})
    return redirect(safe_next(request, request.POST.get("next"), reverse("kol:queue")))

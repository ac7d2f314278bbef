from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from engagement.badges.selectors import member_badges
from engagement.checkin.selectors import checkin_calendar
from engagement.levels.selectors import level_progress
from forum.errors import ForumError
from forum.selectors import member_get

from . import permissions, selectors, services


def _month(value):
    try:
        year, month = (int(x) for x in str(value).split("-", 1))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return year, month
    except (TypeError, ValueError):
        pass
    return None, None


@login_required
def me_points(request):
    return redirect("engagement:member_points", username=request.user.username)


def member_points(request, username):
    member = member_get(username=username)
    account = selectors.account_get(member=member)
    may_see_history = permissions.can_view_points_history(request.user, member)
    context = {
        "member": member,
        "account": account,
        "progress": level_progress(member=member),
        "badges": member_badges(member=member),
        "may_see_history": may_see_history,
        "may_adjust": permissions.can_adjust_points(request.user),
    }
    if may_see_history:
        page = selectors.points_history(member=member, page=request.GET.get("page", 1))
        context["page"] = page
        context["history"] = [(entry, selectors.source_url(entry)) for entry in page.object_list]
        year, month = _month(request.GET.get("month"))
        context["calendar"] = checkin_calendar(member=member, year=year, month=month)
    if context["may_adjust"]:
        import uuid

        context["adjust_key"] = uuid.uuid4().hex
    return render(request, "engagement/member_points.html", context)


@require_POST
@login_required
def points_adjust(request, username):
    member = member_get(username=username)
    try:
        entry = services.points_adjust(actor=request.user, member=member, amount=request.POST.get("amount", ""),
                                       reason=request.POST.get("reason", ""), key=request.POST.get("key", ""))
    except ForumError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(amount)+d points for %(member)s. Balance: %(balance)d.") % {
            "amount": entry.amount, "member": member.name, "balance": entry.balance_after})
    return redirect("engagement:member_points", username=member.username)

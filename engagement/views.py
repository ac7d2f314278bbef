"""Pages that put several engagement sub-apps side by side (a member's points page shows the level, the badges
and the check-in calendar next to the ledger). They live here, above the sub-apps, so that no sub-app imports
another one's views or selectors back (the import-graph test forbids cycles between sub-apps)."""

import uuid

from django.shortcuts import render

from forum.selectors import member_get

from .badges.selectors import member_badges
from .checkin.selectors import checkin_calendar
from .levels.selectors import level_progress
from .points import permissions as points_permissions
from .points import selectors as points_selectors


def _month(value):
    try:
        year, month = (int(x) for x in str(value).split("-", 1))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return year, month
    except (TypeError, ValueError):
        pass
    return None, None


def member_points(request, username):
    member = member_get(username=username)
    account = points_selectors.account_get(member=member)
    may_see_history = points_permissions.can_view_points_history(request.user, member)
    context = {
        "member": member,
        "account": account,
        "progress": level_progress(member=member),
        "badges": member_badges(member=member),
        "may_see_history": may_see_history,
        "may_adjust": points_permissions.can_adjust_points(request.user),
    }
    if may_see_history:
        page = points_selectors.points_history(member=member, page=request.GET.get("page", 1))
        context["page"] = page
        context["history"] = [(entry, points_selectors.source_url(entry)) for entry in page.object_list]
        year, month = _month(request.GET.get("month"))
        context["calendar"] = checkin_calendar(member=member, year=year, month=month)
    if context["may_adjust"]:
        context["adjust_key"] = uuid.uuid4().hex
    return render(request, "engagement/member_points.html", context)

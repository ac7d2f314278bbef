from django.shortcuts import render

from forum import permissions as forum_permissions
from forum.selectors import category_get, category_list

from . import selectors


def leaderboard(request):
    board = request.GET.get("board", "points")
    context = {"board": board, "categories": category_list(user=request.user)}
    if board == "streak":
        kind = request.GET.get("kind", "current")
        context["result"] = selectors.streak_leaderboard(board=kind, viewer=request.user)
        context["kind"] = context["result"]["board"]
    else:
        context["board"] = "points"
        period = request.GET.get("period", "week")
        if period not in selectors.PERIODS:
            period = "week"
        category = None
        slug = request.GET.get("category", "")
        if slug:
            category = category_get(slug=slug, user=request.user)
            forum_permissions.check_read_category(request.user, category)
        context.update(period=period, category=category,
                       result=selectors.points_leaderboard(period=period, category=category, viewer=request.user))
    return render(request, "engagement/leaderboard.html", context)

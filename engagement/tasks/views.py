from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from engagement.points.selectors import account_get

from . import selectors


@login_required
def checklist(request):
    context = {"checklist": selectors.member_checklist(member=request.user), "current": "tasks",
               "balance": account_get(member=request.user).balance}
    return render(request, "tasks/checklist.html", context)


def checklist_card(request):
    """The compact newcomer card other pages load (htmx) into their slot; nothing for guests or once
    the newcomer tasks are all done."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    checklist = selectors.member_checklist(member=request.user)
    if not checklist.newcomer or checklist.newcomer_complete:
        return HttpResponse(status=204)
    return render(request, "tasks/card.html", {"checklist": checklist})

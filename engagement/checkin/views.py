from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from forum.errors import ForumError

from . import selectors, services


@login_required
def checkin(request):
    if request.method == "POST":
        try:
            row = services.checkin_today(actor=request.user)
        except ForumError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Checked in! +%(points)d points, streak: %(streak)d days.") % {
                "points": row.points, "streak": row.streak})
        return redirect("engagement:checkin")
    context = {
        "status": selectors.checkin_status(member=request.user),
        "calendar": selectors.checkin_calendar(member=request.user),
        "count_today": selectors.checkin_count_today(),
    }
    return render(request, "engagement/checkin.html", context)


@require_POST
@login_required
def checkin_makeup(request):
    try:
        row = services.checkin_makeup(actor=request.user)
    except ForumError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Made up the check-in for %(day)s.") % {"day": row.day.isoformat()})
    return redirect("engagement:checkin")

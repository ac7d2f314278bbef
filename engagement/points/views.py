from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from forum.errors import ForumError
from forum.selectors import member_get

from . import services


@login_required
def me_points(request):
    return redirect("engagement:member_points", username=request.user.username)


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

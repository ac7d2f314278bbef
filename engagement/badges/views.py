from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from forum.errors import ForumError
from forum.selectors import member_get

from . import permissions, selectors, services
from .models import Badge


def badge_list(request):
    return render(request, "engagement/badges.html", {"badges": selectors.badge_list()})


def badge_detail(request, slug):
    badge = selectors.badge_get(slug=slug)
    return render(request, "engagement/badge.html", {
        "badge": badge, "holders": selectors.badge_recent_holders(badge=badge)})


def member_badges(request, username):
    member = member_get(username=username)
    may_manage = permissions.can_manage_badges(request.user)
    context = {
        "member": member,
        "held": selectors.member_badges(member=member),
        "chosen": selectors.chosen_badge(member),
        "is_self": request.user.is_authenticated and request.user.pk == member.pk,
        "may_manage": may_manage,
    }
    if may_manage:
        context["grantable"] = Badge.objects.filter(is_active=True, rule__in=list(Badge.GRANTABLE))
    return render(request, "engagement/member_badges.html", context)


def _badge_from_post(request):
    badge = Badge.objects.filter(slug=request.POST.get("badge", ""), is_active=True).first()
    if badge is None:
        raise Http404
    return badge


@require_POST
@login_required
def badge_grant(request, username):
    member = member_get(username=username)
    try:
        services.badge_grant(actor=request.user, member=member, badge=_badge_from_post(request),
                             reason=request.POST.get("reason", ""))
    except ForumError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Badge granted."))
    return redirect("engagement:member_badges", username=member.username)


@require_POST
@login_required
def badge_revoke(request, username):
    member = member_get(username=username)
    try:
        services.badge_revoke(actor=request.user, member=member, badge=_badge_from_post(request),
                              reason=request.POST.get("reason", ""))
    except ForumError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Badge revoked."))
    return redirect("engagement:member_badges", username=member.username)


@require_POST
@login_required
def badge_choose(request):
    slug = request.POST.get("badge", "")
    try:
        badge = None if not slug else Badge.objects.filter(slug=slug, is_active=True).first()
        if slug and badge is None:
            raise Http404
        services.badge_choose(actor=request.user, badge=badge)
    except ForumError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your displayed badge was updated."))
    return redirect("engagement:member_badges", username=request.user.username)

"""Following's pages: the follow/unfollow endpoint (htmx gets the button back, a plain form a redirect
with a message; a guest is sent to sign in), the button's fragment for pages that load it lazily, and
the member's feed (/feed/)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from forum import selectors as forum_selectors
from forum.errors import ForumError
from forum.lib import web
from forum.models import Category, Tag
from forum.permissions import can_read_category

from . import selectors, services


def _target(kind, key):
    """(the keyword for the services, the object, its name, its page) of a follow target, or 404."""
    if kind == "member":
        obj = forum_selectors.member_get(username=key)
        return {"member": obj}, obj, obj.name, obj.get_absolute_url()
    if kind == "category":
        obj = Category.objects.filter(slug=key).first()
        if obj is None:
            raise Http404
        return {"category": obj}, obj, obj.name, obj.get_absolute_url()
    if kind == "tag":
        obj = Tag.objects.filter(slug=key).first()
        if obj is None:
            raise Http404
        return {"tag": obj}, obj, f"#{obj.name}", reverse("forum:tag", args=[obj.slug])
    raise Http404


def _button(request, kind, key, name, following, *, message="", ok=True, status=200):
    html = render_to_string("follows/button.html", {"button": {
        "kind": kind, "key": key, "name": name, "following": following, "message": message, "ok": ok}},
        request=request)
    return HttpResponse(html, status=status)


def _on_profile(request, kind):
    return kind == "member" and request.POST.get("place") == "profile"


def _profile(request, member, *, message, ok=True, status=200):
    context = selectors.profile_context(member=member, user=request.user, message=message, ok=ok)
    return HttpResponse(render_to_string("follows/profile.html", context, request=request), status=status)


@require_POST
def follow_toggle(request, kind, key):
    target, obj, name, url = _target(kind, key)
    if not request.user.is_authenticated:
        return web.login_redirect(request, url)
    follow = request.POST.get("follow") != "0"
    try:
        if follow:
            services.follow_create(actor=request.user, **target)
        else:
            services.follow_delete(actor=request.user, **target)
    except ForumError as error:
        if getattr(request, "htmx", False):
            if _on_profile(request, kind):
                response = _profile(request, obj, message=str(error.message), ok=False, status=error.status)
            else:
                following = selectors.is_following(user=request.user, **target)
                response = _button(request, kind, key, name, following, message=str(error.message), ok=False,
                                   status=error.status)
            if getattr(error, "retry_after", None):
                response["Retry-After"] = str(error.retry_after)
            return response
        messages.error(request, error.message)
        return redirect(url)
    message = (_("You are following %(name)s.") if follow else _("You no longer follow %(name)s.")) % {"name": name}
    if getattr(request, "htmx", False):
        if _on_profile(request, kind):  # the counts change with the button
            return _profile(request, obj, message=message)
        return _button(request, kind, key, name, follow, message=message)
    messages.success(request, message)
    return redirect(url)


@require_safe
def follow_button(request, kind, key):
    target, obj, name, url = _target(kind, key)
    if kind == "category" and not can_read_category(request.user, obj):
        return HttpResponse(status=403)  # a private category: nothing to show to others
    following = selectors.is_following(user=request.user, **target)
    return _button(request, kind, key, name, following)


@require_safe
@login_required
def feed(request):
    followed = selectors.followed_by(user=request.user)
    context = {"followed": followed, "page_params": {}}
    if followed:
        page = selectors.feed(user=request.user, followed=followed, page=web.page_number(request))
        context.update(page_obj=page, items=page.object_list, following=selectors.following_list(member=request.user))
    else:
        context["suggestions"] = selectors.suggestions(user=request.user)
    return render(request, "follows/feed.html", context)

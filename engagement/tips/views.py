"""The tip button's endpoint: htmx gets the button back with the outcome (2xx sent, 4xx refused
with the service's message: level gate, daily cap, too few points); a plain form post gets a
redirect to the post with the same message."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from forum.errors import ForumError
from forum.lib.web import login_redirect
from forum.models import Post

from . import services
from .sections import render_tip_form


@require_POST
def tip_post(request, post_id):
    post = Post.objects.filter(pk=post_id).first()
    if post is None:
        raise Http404
    if not request.user.is_authenticated:
        return login_redirect(request, post.get_absolute_url())
    raw = request.POST.get("amount", "").strip()
    try:
        amount = int(raw) if raw.isdigit() else raw
        tip = services.tip_post(actor=request.user, post_id=post.pk, amount=amount,
                                request_key=request.POST.get("request_key", ""))
    except ForumError as error:
        message, ok, status = str(error.message), False, error.status
    else:
        message, ok, status = _("Thank you: you tipped %(n)d points.") % {"n": tip.amount}, True, 200
    if getattr(request, "htmx", False):
        return HttpResponse(render_tip_form(request, post, message=message, ok=ok), status=status)
    (messages.success if ok else messages.error)(request, message)
    return redirect(post.get_absolute_url())

"""Bounty pages: accept an answer (the asker), resolve an abandoned bounty (a moderator, audited)
and the list of open bounties."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from forum.errors import ForumError
from forum.forms import add_service_error
from forum.lib.web import login_redirect
from forum.models import Post
from forum.permissions import check_moderate
from forum.views import shows_forum_errors

from . import selectors, services
from .forms import ResolveForm


@require_POST
def bounty_accept(request, topic_id, post_id):
    post = Post.objects.select_related("topic").filter(pk=post_id, topic_id=topic_id).first()
    if post is None:
        raise Http404
    if not request.user.is_authenticated:
        return login_redirect(request, post.topic.get_absolute_url())
    try:
        services.bounty_accept(actor=request.user, topic_id=topic_id, post_id=post_id)
    except ForumError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Answer accepted: the bounty was paid to its author."))
    return redirect(post.topic.get_absolute_url())


@require_http_methods(["GET", "HEAD", "POST"])
@shows_forum_errors
def bounty_resolve(request, pk):
    bounty = selectors.bounty_get(pk=pk)
    if bounty is None:
        raise Http404
    if not request.user.is_authenticated:
        return login_redirect(request)
    check_moderate(request.user, bounty.topic)
    answers = (Post.objects.select_related("author").filter(topic_id=bounty.topic_id, number__gt=1,
                                                            is_hidden=False, is_deleted=False)
               .exclude(author_id=bounty.asker_id).order_by("-score", "number")[:50])
    form = ResolveForm(request.POST or None, answers=answers)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.bounty_resolve(actor=request.user, bounty_id=bounty.pk, post_id=form.cleaned_data["post"],
                                        reason=form.cleaned_data["reason"])
            except ForumError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The bounty was resolved."))
                return redirect(bounty.topic.get_absolute_url())
        status = 400
    return render(request, "bounties/resolve.html", {"bounty": bounty, "form": form}, status=status)


@require_safe
def bounty_list(request):
    page_obj = Paginator(selectors.open_bounties(), 20).get_page(request.GET.get("page"))
    return render(request, "bounties/list.html", {"page_obj": page_obj})

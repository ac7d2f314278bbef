"""Poll pages: the poll with its results (counts, percentages, a bar per option, voters of public
polls), voting, closing early, CSV export for moderators, and adding a poll to a topic."""


from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from forum.errors import ForumError
from forum.forms import add_service_error
from forum.lib.exports import SafeWriter
from forum.lib.redirects import safe_next
from forum.lib.web import login_redirect
from forum.models import Topic
from forum.permissions import check_read_topic
from forum.views import shows_forum_errors

from . import fragments, permissions, selectors, services
from .forms import PollForm


def _back(request, poll):
    return redirect(safe_next(request, request.POST.get("next"), poll.get_absolute_url()))


def _home(poll):
    """Where a poll's widget lives: its topic's page, or its own page."""
    return poll.topic.get_absolute_url() if poll.topic_id else poll.get_absolute_url()


@require_safe
@shows_forum_errors
def poll_detail(request, pk):
    poll = selectors.poll_get(poll_id=pk, user=request.user)
    view = selectors.poll_view(poll=poll, user=request.user)
    return render(request, "polls/poll_detail.html", {"pv": view, "poll": poll})


@require_POST
@shows_forum_errors
def poll_vote(request, pk):
    if not request.user.is_authenticated:
        return login_redirect(request, safe_next(request, request.POST.get("next")))
    poll = selectors.poll_get(poll_id=pk, user=request.user)
    htmx = getattr(request, "htmx", False)
    error = None
    try:
        services.poll_vote(actor=request.user, poll=poll, option_ids=request.POST.getlist("option"))
    except ForumError as exc:
        error = exc
        if not htmx:
            messages.error(request, exc.message)
    else:
        if not htmx:
            messages.success(request, _("Your vote is counted."))
    if htmx:  # the widget swaps itself, with the message inside it
        view = selectors.polls_view(polls=[poll], user=request.user)[0]
        context = {"pv": view, "next": fragments.safe_next(request, request.POST.get("next")) or _home(poll),
                   "error": error.message if error else None,
                   "notice": None if error else _("Your vote is counted.")}
        return render(request, "polls/poll_widget.html", context, status=error.status if error else 200)
    return _back(request, poll)


@require_safe
@shows_forum_errors
def poll_fragment(request, pk):
    """The poll's widget alone, for the current reader (see engagement/polls/fragments.py)."""
    poll = selectors.poll_get(poll_id=pk, user=request.user)
    with_voters = request.GET.get("voters") == "1"
    next_url = fragments.safe_next(request, request.GET.get("next")) or _home(poll)

    def build():
        return {"pv": selectors.polls_view(polls=[poll], user=request.user, with_voters=with_voters)[0],
                "next": next_url}

    return fragments.fragment_response(
        request, "polls/poll_widget.html", build, state=lambda context: (context["pv"].state(), next_url),
        topic_id=poll.topic_id, cache_name=f"poll-{poll.pk}", cache_parts=(next_url, with_voters))


@require_POST
@shows_forum_errors
def poll_close(request, pk):
    poll = selectors.poll_get(poll_id=pk, user=request.user)
    try:
        services.poll_close(actor=request.user, poll=poll)
    except ForumError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The poll is closed."))
    return _back(request, poll)


@require_safe
@shows_forum_errors
def poll_export(request, pk):
    """CSV for moderators: the counts, or with ?ballots=1 (public polls only) one row per ballot."""
    poll = selectors.poll_get(poll_id=pk, user=request.user)
    permissions.check_export_poll(request.user)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="poll-{poll.pk}.csv"'
    response.write("\ufeff")  # so spreadsheet programs read the UTF-8 (Chinese) text correctly
    writer = SafeWriter(response)
    if request.GET.get("ballots") and not poll.is_anonymous:
        writer.writerow(["username", "options", "voted_at", "changed_at"])
        for ballot in selectors.poll_ballots(poll=poll):
            chosen = sorted(ballot.choices.all(), key=lambda c: c.option.position)
            writer.writerow([ballot.member.username, " | ".join(c.option.text for c in chosen),
                             ballot.created_at.isoformat(), ballot.updated_at.isoformat()])
        return response
    rows, voters = selectors.poll_results(poll=poll)
    writer.writerow(["position", "option", "votes", "percent_of_voters"])
    for option, votes, percent in rows:
        writer.writerow([option.position, option.text, votes, percent])
    writer.writerow([])
    writer.writerow(["voters", voters])
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@shows_forum_errors
def poll_new(request, topic_id):
    if not request.user.is_authenticated:
        return login_redirect(request)
    topic = get_object_or_404(Topic.objects.select_related("category"), pk=topic_id)
    check_read_topic(request.user, topic)
    permissions.check_create_poll(request.user, topic)
    form = PollForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.poll_create(actor=request.user, topic=topic, **form.service_kwargs())
        except ForumError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The poll is added to the topic."))
            return redirect(topic.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "polls/poll_new.html", {"form": form, "topic": topic}, status=status)

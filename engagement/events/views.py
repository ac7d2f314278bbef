"""Event pages: upcoming / running / past lists, an event with its activities and (after it ends)
its results; moderators create, edit and cancel events and add their polls and lotteries."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from engagement.lotteries.views import lottery_new_for_event
from engagement.polls.forms import PollForm
from forum.errors import ForumError
from forum.forms import add_service_error
from forum.lib.web import login_redirect
from forum.models import Topic
from forum.views import shows_forum_errors

from . import permissions, selectors, services
from .forms import EventEditForm, EventForm


@require_safe
def event_list(request):
    context = {**selectors.event_lists(), "may_manage": permissions.can_manage_events(request.user)}
    return render(request, "events/event_list.html", context)


@require_safe
@shows_forum_errors
def event_detail(request, pk):
    event = selectors.event_get(event_id=pk)
    status = event.status_at(timezone.now())
    context = {"event": event, "status": status, "may_manage": permissions.can_manage_events(request.user),
               **selectors.event_activities(event=event, user=request.user)}
    if status == "past" or context["may_manage"]:
        context["stats"] = selectors.event_stats(event=event)
    if status == "past":
        context["participants"] = selectors.event_participants(event=event)
    return render(request, "events/event_detail.html", context)


def _service_kwargs(form):
    d = form.cleaned_data
    topics = list(Topic.objects.filter(pk__in=d["topics"]))
    missing = set(d["topics"]) - {t.pk for t in topics}
    if missing:
        form.add_error("topics", _("There is no topic number %(n)s.") % {"n": ", ".join(map(str, sorted(missing)))})
        return None
    return {"title": d["title"], "description": d["description"], "starts_at": d["starts_at"],
            "ends_at": d["ends_at"], "categories": list(d["categories"]), "topics": topics,
            "multipliers": form.multipliers(), "cover": d.get("cover")}


def _add_error(form, error):
    """A service error on the multiplier rows goes above the rows; any other on its field or the form."""
    if error.field == "multipliers":
        form.multiplier_rows.add_service_error(str(error.message))
    else:
        add_service_error(form, error)


@require_http_methods(["GET", "HEAD", "POST"])
@shows_forum_errors
def event_new(request):
    if not request.user.is_authenticated:
        return login_redirect(request)
    permissions.check_manage_events(request.user)
    form = EventForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        kwargs = _service_kwargs(form)
        if kwargs is not None:
            kwargs["multipliers"] = kwargs["multipliers"] or []
            try:
                event = services.event_create(actor=request.user, **kwargs)
            except ForumError as error:
                _add_error(form, error)
            else:
                messages.success(request, _("The event is created."))
                return redirect(event.get_absolute_url())
    return render(request, "events/event_form.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@shows_forum_errors
def event_edit(request, pk):
    if not request.user.is_authenticated:
        return login_redirect(request)
    permissions.check_manage_events(request.user)
    event = selectors.event_get(event_id=pk)
    initial = {"title": event.title, "description": event.description, "starts_at": event.starts_at,
               "ends_at": event.ends_at, "categories": list(event.categories.all()),
               "topics": ", ".join(str(t) for t in event.topics.values_list("pk", flat=True))}
    form = EventEditForm(request.POST or None, request.FILES or None, initial=initial,
                         multipliers=selectors.event_multipliers(event=event))
    if request.method == "POST" and form.is_valid():
        kwargs = _service_kwargs(form)
        if kwargs is not None:
            try:
                services.event_edit(actor=request.user, event=event, reason=form.cleaned_data["reason"], **kwargs)
            except ForumError as error:
                _add_error(form, error)
            else:
                messages.success(request, _("The event is saved."))
                return redirect(event.get_absolute_url())
    return render(request, "events/event_form.html", {"form": form, "event": event},
                  status=400 if request.method == "POST" else 200)


@require_POST
@shows_forum_errors
def event_cancel(request, pk):
    event = selectors.event_get(event_id=pk)
    try:
        services.event_cancel(actor=request.user, event=event, reason=request.POST.get("reason", ""))
    except ForumError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The event is cancelled."))
    return redirect(event.get_absolute_url())


@require_http_methods(["GET", "HEAD", "POST"])
@shows_forum_errors
def event_poll_new(request, pk):
    if not request.user.is_authenticated:
        return login_redirect(request)
    permissions.check_manage_events(request.user)
    event = selectors.event_get(event_id=pk)
    form = PollForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_poll_create(actor=request.user, event=event, **form.service_kwargs())
        except ForumError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The poll is added to the event."))
            return redirect(event.get_absolute_url())
    return render(request, "polls/poll_new.html", {"form": form, "event": event},
                  status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@shows_forum_errors
def event_lottery_new(request, pk):
    if not request.user.is_authenticated:
        return login_redirect(request)
    permissions.check_manage_events(request.user)
    event = selectors.event_get(event_id=pk)

    def save(kwargs, form):
        services.event_lottery_create(actor=request.user, event=event, **kwargs)
        return event

    return lottery_new_for_event(request, event, save)

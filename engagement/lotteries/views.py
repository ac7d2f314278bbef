"""Lottery pages: the lottery (prize, rules, entries, winners, the audit in words and how to
verify), entering, drawing and cancelling (moderators), creation and editing, and the public
audit document /lotteries/<id>/audit.json."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from engagement.polls import fragments
from forum.errors import ForumError, InvalidInput
from forum.forms import add_service_error
from forum.lib.web import login_redirect
from forum.models import Topic
from forum.views import shows_forum_errors

from . import permissions, selectors, services
from .forms import LotteryEditForm, LotteryForm
from .sections import card_state


def _topic(number):
    if not number:
        return None
    topic = Topic.objects.filter(pk=number).first()
    if topic is None:
        raise InvalidInput(_("There is no topic number %(n)d.") % {"n": number}, field="topic")
    return topic


@require_safe
@shows_forum_errors
def lottery_detail(request, pk):
    lottery = selectors.lottery_get(lottery_id=pk, user=request.user)
    context = {
        "lottery": lottery,
        "my_entry": selectors.my_entry(lottery=lottery, user=request.user),
        "winners": selectors.winner_entries(lottery=lottery) if lottery.is_drawn else [],
        "recent": selectors.recent_entries(lottery=lottery, limit=20),
        "may_manage": permissions.can_manage_lotteries(request.user),
        "events": list(lottery.events.all()),
    }
    return render(request, "lotteries/lottery_detail.html", context)


@require_safe
@shows_forum_errors
def lottery_audit(request, pk):
    lottery = selectors.lottery_get(lottery_id=pk, user=request.user)
    return JsonResponse(selectors.lottery_audit(lottery=lottery), json_dumps_params={"ensure_ascii": False})


@require_POST
@shows_forum_errors
def lottery_enter(request, pk):
    if not request.user.is_authenticated:
        return login_redirect(request, request.path.rsplit("enter/", 1)[0])
    lottery = selectors.lottery_get(lottery_id=pk, user=request.user)
    try:
        entry = services.lottery_enter(actor=request.user, lottery=lottery)
    except ForumError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("You are in! Your ticket is %(ticket)s.") % {"ticket": entry.ticket})
    # from a card on the topic page: back to that page
    return redirect(fragments.safe_next(request, request.POST.get("next")) or lottery.get_absolute_url())


@require_safe
@shows_forum_errors
def lottery_fragment(request, pk):
    """The lottery's card alone, for the current reader (see engagement/polls/fragments.py)."""
    lottery = selectors.lottery_get(lottery_id=pk, user=request.user)
    next_url = fragments.safe_next(request, request.GET.get("next")) or (
        lottery.topic.get_absolute_url() if lottery.topic_id else lottery.get_absolute_url())

    def build():
        return {"lottery": selectors.lottery_cards(lotteries=[lottery], user=request.user)[0], "next": next_url}

    return fragments.fragment_response(
        request, "lotteries/lottery_card.html", build,
        state=lambda context: (card_state(context["lottery"]), next_url),
        topic_id=lottery.topic_id, cache_name=f"lottery-{lottery.pk}", cache_parts=(next_url,))


@require_POST
@shows_forum_errors
def lottery_draw(request, pk):
    lottery = selectors.lottery_get(lottery_id=pk, user=request.user)
    try:
        lottery, drawn_now = services.lottery_draw(actor=request.user, lottery=lottery,
                                                   public_salt=request.POST.get("public_salt", ""))
    except ForumError as error:
        messages.error(request, error.message)
    else:
        if drawn_now:
            messages.success(request, _("Drawn. The winners are notified."))
        else:
            messages.info(request, _("This lottery was already drawn; the result below is final."))
    return redirect(lottery.get_absolute_url())


@require_POST
@shows_forum_errors
def lottery_cancel(request, pk):
    lottery = selectors.lottery_get(lottery_id=pk, user=request.user)
    try:
        services.lottery_cancel(actor=request.user, lottery=lottery, reason=request.POST.get("reason", ""))
    except ForumError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The lottery is cancelled and entry points are refunded."))
    return redirect(lottery.get_absolute_url())


def _form_page(request, *, form_class, lottery=None, event=None, save):
    if not request.user.is_authenticated:
        return login_redirect(request)
    permissions.check_manage_lotteries(request.user)
    initial = {}
    if lottery is not None:
        initial = {k: getattr(lottery, k) for k in ("title", "prize", "winners_count", "opens_at", "closes_at",
                                                    "require_reply", "min_level", "points_cost", "salt_source")}
        initial["topic"] = lottery.topic_id
    form = form_class(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.service_kwargs(_topic(form.cleaned_data["topic"])), form)
        except ForumError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(saved.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "lotteries/lottery_form.html", {"form": form, "lottery": lottery, "event": event},
                  status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@shows_forum_errors
def lottery_new(request):
    return _form_page(request, form_class=LotteryForm,
                      save=lambda kwargs, form: services.lottery_create(actor=request.user, **kwargs))


@require_http_methods(["GET", "HEAD", "POST"])
@shows_forum_errors
def lottery_edit(request, pk):
    lottery = selectors.lottery_get(lottery_id=pk, user=request.user)

    def save(kwargs, form):
        if not kwargs.get("prize_image"):
            kwargs.pop("prize_image", None)
        return services.lottery_edit(actor=request.user, lottery=lottery, reason=form.cleaned_data["reason"],
                                     **kwargs)

    return _form_page(request, form_class=LotteryEditForm, lottery=lottery, save=save)


def lottery_new_for_event(request, event, save):
    """Used by engagement.events.views: the same form, saved into an event."""
    return _form_page(request, form_class=LotteryForm, event=event, save=save)



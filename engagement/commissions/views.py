"""Commission pages: the public wall of paid commissions, the writer's list, the editors' desk, the
invitation form and one page per commission with the actions its viewer may take."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from forum.errors import ForumError
from forum.forms import add_service_error
from forum.lib.web import login_redirect
from forum.views import shows_forum_errors

from . import permissions, selectors, services
from .forms import CancelForm, InviteForm, NoteForm, SubmitForm
from .models import Commission


@require_safe
def wall(request):
    page_obj = Paginator(selectors.paid_commissions(), 20).get_page(request.GET.get("page"))
    return render(request, "commissions/wall.html", {
        "page_obj": page_obj, "is_editor": permissions.can_commission(request.user)})


@require_safe
def mine(request):
    if not request.user.is_authenticated:
        return login_redirect(request)
    page_obj = Paginator(selectors.commissions_of_writer(member=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "commissions/mine.html", {"page_obj": page_obj})


@require_safe
@shows_forum_errors
def desk(request):
    if not request.user.is_authenticated:
        return login_redirect(request)
    permissions.check_commission(request.user)
    status = request.GET.get("status") or ""
    if status and status not in Commission.Status.values:
        status = ""
    page_obj = Paginator(selectors.commissions_desk(status=status or None), 30).get_page(request.GET.get("page"))
    return render(request, "commissions/desk.html", {"page_obj": page_obj, "status": status,
                                                     "statuses": Commission.Status.choices})


@require_http_methods(["GET", "HEAD", "POST"])
@shows_forum_errors
def invite(request):
    if not request.user.is_authenticated:
        return login_redirect(request)
    permissions.check_commission(request.user)
    form = InviteForm(request.POST or None, initial={"writer": request.GET.get("writer", "")[:150]})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                commission = services.commission_invite(
                    actor=request.user, writer=data["writer"], theme=data["theme"], brief=data["brief"],
                    reward=data["reward"], due_at=data["due_at"], category=data["category"])
            except ForumError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Invitation sent to %(name)s.") % {"name": commission.writer.username})
                return redirect("commissions:detail", pk=commission.pk)
        status = 400
    return render(request, "commissions/invite.html", {"form": form}, status=status)


def _detail_context(request, commission, **forms):
    user = request.user
    is_writer = user.is_authenticated and user.pk == commission.writer_id
    is_editor = permissions.can_commission(user)
    ctx = {"commission": commission, "is_writer": is_writer, "is_editor": is_editor,
           "respond_form": NoteForm(), "review_form": NoteForm(), "cancel_form": CancelForm()}
    if is_writer and commission.status in (Commission.Status.ACCEPTED, Commission.Status.RETURNED):
        ctx["submit_form"] = SubmitForm(topics=selectors.writer_topics(member=user))
    ctx.update(forms)
    return ctx


def _get_visible(request, pk):
    commission = selectors.commission_get(pk=pk)
    if commission is None or not permissions.can_view(request.user, commission):
        raise Http404
    return commission


@require_safe
def detail(request, pk):
    commission = _get_visible(request, pk)
    return render(request, "commissions/detail.html", _detail_context(request, commission))


def _act(request, pk, form, call, done, form_name):
    if not request.user.is_authenticated:
        return login_redirect(request)
    commission = _get_visible(request, pk)
    if form.is_valid():
        try:
            call(commission, form.cleaned_data)
        except ForumError as error:
            if error.code in ("not_editor", "not_writer"):
                raise
            add_service_error(form, error)
        else:
            messages.success(request, done)
            return redirect("commissions:detail", pk=commission.pk)
    commission = selectors.commission_get(pk=pk)
    return render(request, "commissions/detail.html", _detail_context(request, commission, **{form_name: form}),
                  status=400)


@require_POST
@shows_forum_errors
def respond(request, pk):
    accept = "decline" not in request.POST
    return _act(request, pk, NoteForm(request.POST),
                lambda c, d: services.commission_respond(actor=request.user, commission_id=c.pk, accept=accept,
                                                         note=d["note"]),
                _("You accepted the commission: write your topic, then hand it in here.") if accept
                else _("You declined the commission."), "respond_form")


@require_POST
@shows_forum_errors
def submit(request, pk):
    topics = selectors.writer_topics(member=request.user) if request.user.is_authenticated else []
    return _act(request, pk, SubmitForm(request.POST, topics=topics),
                lambda c, d: services.commission_submit(actor=request.user, commission_id=c.pk, topic_id=d["topic"],
                                                        note=d["note"]),
                _("Handed in: the editor will review it."), "submit_form")


@require_POST
@shows_forum_errors
def review(request, pk):
    approve = "return" not in request.POST
    return _act(request, pk, NoteForm(request.POST),
                lambda c, d: services.commission_review(actor=request.user, commission_id=c.pk, approve=approve,
                                                        note=d["note"]),
                _("Accepted: the reward was paid and the topic featured.") if approve
                else _("Returned to the writer for changes."), "review_form")


@require_POST
@shows_forum_errors
def cancel(request, pk):
    return _act(request, pk, CancelForm(request.POST),
                lambda c, d: services.commission_cancel(actor=request.user, commission_id=c.pk, reason=d["reason"]),
                _("The commission was withdrawn."), "cancel_form")

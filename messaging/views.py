"""Private message pages: the inbox, a conversation (read, reply, quote, leave, report), a new
conversation, blocked and ignored members, the header badge; and for moderators the reported
messages. Each parses the form and calls one service or selector."""

from django.contrib import messages as flash
from django.contrib.auth import get_user_model
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from forum.errors import ForumError
from forum.lib.web import login_redirect
from forum.views import shows_forum_errors

from . import permissions, selectors, services
from .models import MemberBlock, Message, MessageReport


def _member_required(view):
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return login_redirect(request)
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@require_safe
@_member_required
def inbox(request):
    query = request.GET.get("q", "")[:100]
    found = selectors.search_messages(user=request.user, query=query) if query else None
    return render(request, "messaging/inbox.html", {"rows": selectors.inbox(user=request.user), "query": query,
                                                    "found": found})


@require_http_methods(["GET", "HEAD", "POST"])
@_member_required
@shows_forum_errors
def conversation_new(request):
    values = {"recipients": request.GET.get("to", ""), "subject": "", "body": ""}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in ("recipients", "subject", "body")}
        try:
            conversation = services.conversation_start(
                actor=request.user, recipients=values["recipients"].replace("，", ",").replace(" ", ",").split(","),
                subject=values["subject"], body=values["body"])
        except ForumError as error:
            flash.error(request, error.message)
        else:
            return redirect(conversation)
    return render(request, "messaging/new.html", {"values": values})


@require_http_methods(["GET", "HEAD", "POST"])
@_member_required
@shows_forum_errors
def conversation(request, pk):
    draft, quote_id = "", request.GET.get("quote", "")
    if request.method == "POST":
        try:
            services.message_send(actor=request.user, conversation_id=pk, body=request.POST.get("body", ""),
                                  quote_id=request.POST.get("quote") or None)
        except ForumError as error:
            if error.code == permissions.NOT_FOUND:
                raise Http404 from None
            flash.error(request, error.message)
            # shown again with what they wrote, not redirected to an empty form
            draft, quote_id = request.POST.get("body", ""), request.POST.get("quote", "")
        else:
            return redirect("messaging:conversation", pk=pk)
    try:
        convo, participant, members, items = selectors.conversation_get(user=request.user, conversation_id=pk)
    except ForumError:
        raise Http404 from None
    services.conversation_read(actor=request.user, conversation_id=pk)
    quote = None
    if quote_id.isdigit():
        quote = next((m for m in items if m.pk == int(quote_id) and m.kind == Message.Kind.TEXT), None)
    return render(request, "messaging/conversation.html", {
        "conversation": convo, "members": members, "items": items, "quote": quote, "draft": draft,
        "others": [m for m in members if m.pk != request.user.pk]})


@require_POST
@_member_required
def conversation_leave(request, pk):
    try:
        services.conversation_leave(actor=request.user, conversation_id=pk)
    except ForumError:
        raise Http404 from None
    flash.success(request, _("You have left the conversation."))
    return redirect("messaging:inbox")


@require_http_methods(["GET", "HEAD", "POST"])
@_member_required
@shows_forum_errors
def message_report(request, pk):
    message = Message.objects.filter(pk=pk).select_related("author").first()
    if message is None or permissions.active_participant(request.user, message.conversation_id) is None:
        raise Http404
    if request.method == "POST":
        try:
            services.message_report(actor=request.user, message_id=pk, reason=request.POST.get("reason", ""))
        except ForumError as error:
            flash.error(request, error.message)
        else:
            flash.success(request, _("Thank you: a moderator will look at this message."))
            return redirect("messaging:conversation", pk=message.conversation_id)
    return render(request, "messaging/report.html", {"message": message})


@require_http_methods(["GET", "HEAD", "POST"])
@_member_required
@shows_forum_errors
def blocks(request):
    if request.method == "POST":
        target = get_user_model().objects.filter(username=request.POST.get("username", "").strip()).first()
        if target is None:
            flash.error(request, _("No member is called %(name)s.") % {"name": request.POST.get("username", "")})
        else:
            try:
                if request.POST.get("kind") == "unblock":
                    services.member_unblock(actor=request.user, target=target)
                    flash.success(request, _("%(name)s may write to you again.") % {"name": target.name})
                else:
                    services.member_block(actor=request.user, target=target, kind=request.POST.get("kind", "block"))
                    flash.success(request, _("You will not see messages from %(name)s.") % {"name": target.name})
            except ForumError as error:
                flash.error(request, error.message)
        back = request.POST.get("conversation", "")
        if back.isdigit():
            return redirect("messaging:conversation", pk=int(back))
        return redirect("messaging:blocks")
    rows = MemberBlock.objects.filter(member=request.user).select_related("target").order_by("-created_at")
    return render(request, "messaging/blocks.html", {"rows": rows})


@require_safe
def badge(request):
    """The header's "Messages" item with the unread count (htmx fills the nav slot with it)."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    return render(request, "messaging/nav_item.html", {"pm_unread": selectors.unread_total(user=request.user)})


@require_safe
@_member_required
@shows_forum_errors
def reports(request):
    permissions.check_handle_reports(request.user)
    return render(request, "messaging/reports.html", {"reports": selectors.open_reports()})


@require_http_methods(["GET", "HEAD", "POST"])
@_member_required
@shows_forum_errors
def report_detail(request, pk):
    permissions.check_handle_reports(request.user)
    if not MessageReport.objects.filter(pk=pk).exists():
        raise Http404
    if request.method == "POST":
        try:
            services.report_resolve(actor=request.user, report_id=pk, hide=request.POST.get("action") == "hide",
                                    reason=request.POST.get("reason", ""))
        except (ForumError, ValueError) as error:
            flash.error(request, getattr(error, "message", str(error)))
            return redirect("messaging:report_detail", pk=pk)
        flash.success(request, _("Report handled."))
        return redirect("messaging:reports")
    report, context = services.report_open(actor=request.user, report_id=pk)
    return render(request, "messaging/report_detail.html", {"report": report, "context": context})

"""The composer's endpoints. JSON or small HTML fragments for static/js/composer.js; each refusal is a
4xx with {"error": {"code", "message", "field"}} (401 guest, 403 not allowed, 400 bad input, 413 too
long, 429 too often with Retry-After). POSTs are CSRF-protected by Django's middleware."""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from .. import permissions, selectors
from ..errors import ForumError
from ..ratelimit import rate_limit_hit
from ..views import shows_forum_errors, with_status
from . import selectors as composer_selectors
from . import services


def _error(error):
    status = 401 if error.code == "login_required" else error.status
    body = {"error": {"code": error.code, "message": str(error.message), "field": error.field}}
    return with_status(JsonResponse(body, status=status), error)


def _json_errors(view):
    def wrapper(request, *args, **kwargs):
        try:
            if not request.user.is_authenticated:
                permissions.check_member(request.user)
            return view(request, *args, **kwargs)
        except ForumError as error:
            return _error(error)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@require_POST
@_json_errors
def preview(request):
    """POST body=<Markdown> -> the sanitized HTML (text/html), as the post would show it."""
    html = services.preview_render(actor=request.user, body=request.POST.get("body", ""))
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def _draft_json(draft):
    if draft is None:
        return None
    return {"place": draft.place, "title": draft.title, "body": draft.body, "category": draft.category_id,
            "updated_at": draft.updated_at.isoformat()}


@require_http_methods(["GET", "HEAD", "POST"])
@_json_errors
def draft(request):
    """GET ?place=reply:12 -> {"draft": {...} or null}. POST place, body, title, category -> saves
    (an empty draft is deleted): {"draft": ...}."""
    if request.method in ("GET", "HEAD"):
        place = request.GET.get("place", "")
        services.place_parse(place)
        response = JsonResponse({"draft": _draft_json(composer_selectors.draft_get(user=request.user, place=place))})
        response["Cache-Control"] = "no-store"
        return response
    saved = services.draft_save(actor=request.user, place=request.POST.get("place", ""),
                                body=request.POST.get("body", ""), title=request.POST.get("title", ""),
                                category_id=request.POST.get("category") or None)
    return JsonResponse({"draft": _draft_json(saved)})


@require_POST
@_json_errors
def draft_discard(request):
    """POST place -> {"discarded": true|false}."""
    return JsonResponse({"discarded": services.draft_discard(actor=request.user, place=request.POST.get("place", ""))})


@require_safe
@_json_errors
def mention_search(request):
    """GET ?q=ab -> {"members": [{"username", "name", "avatar_url"}]}: up to 8, prefix match."""
    rate_limit_hit(key=f"mention:{request.user.pk}", limit=600, window=3600)
    q = request.GET.get("q", "")[:30]
    members = composer_selectors.mention_candidates(q=q)
    response = JsonResponse({"members": [{"username": m.username, "name": m.name, "avatar_url": m.avatar_url}
                                         for m in members]})
    response["Cache-Control"] = "private, max-age=30"
    return response


@require_safe
@shows_forum_errors
def post_history(request, pk):
    """The versions of a post's Markdown with who edited, when and a diff: for whoever may read the post."""
    post = selectors.post_get(post_id=pk, user=request.user)
    if not (post.is_visible or permissions.can_moderate(request.user, post.topic.category)):
        from django.http import Http404

        raise Http404
    versions = composer_selectors.post_history(post=post)
    template = "forum/includes/post_history_list.html" if getattr(request, "htmx", False) else "forum/post_history.html"
    return render(request, template, {"post": post, "topic": post.topic, "versions": versions})


@require_safe
@_json_errors
def post_quote(request, pk):
    """GET -> {"markdown", "heading", "reply_to"}: the post quoted as Markdown for the reply box (the
    same text as the no-JavaScript ?quote= link puts there)."""
    post = selectors.post_get(post_id=pk, user=request.user)
    if not post.is_visible:
        from django.http import Http404

        raise Http404
    heading, markdown = composer_selectors.quote_markdown(post)
    return JsonResponse({"markdown": markdown, "heading": heading, "reply_to": post.pk})

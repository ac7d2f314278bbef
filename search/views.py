"""The search page and the title-suggestion endpoint (JSON, or an HTML fragment for htmx)."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from . import selectors
from .forms import SearchForm
from .text import MAX_QUERY_CHARS, clean_query

SUGGEST_LIMIT = 8


def _without(request, *names):
    """The current query string without some parameters (and without the page)."""
    query = request.GET.copy()
    for name in (*names, "page"):
        query.pop(name, None)
    return query.urlencode()


@require_safe
def search_page(request):
    form = SearchForm(request.GET or None, user=request.user)
    context = {"form": form, "results": None}
    if form.is_search and form.is_valid():
        params = form.params(facets=True)
        results = selectors.search(user=request.user, params=params, include_hidden=form.include_hidden)
        context.update(results=results, page_query=_without(request))
        if not results.total:
            # help: match any of the words instead of all, or drop a filter
            if len(results.terms) > 1 and not params.match_any:
                broader = selectors.search(user=request.user, params=form.params(match_any=True),
                                           include_hidden=form.include_hidden)
                context["broader_total"] = broader.total
                context["broader_query"] = "&".join(p for p in (_without(request, "any"), "any=1") if p)
            labels = {"category": _("the category"), "tag": _("the tag"), "author": _("the author"),
                      "date_from": _("the start date"), "date_to": _("the end date"),
                      "featured": _("featured only")}
            context["broaden"] = [(label, _without(request, name)) for name, label in labels.items()
                                  if request.GET.get(name)]
    return render(request, "search/search.html", context)


@require_safe
@cache_control(private=True, max_age=30)
def suggest(request):
    """Titles of topics the reader may see, for a partly typed query.

    JSON: ``{"q": ..., "suggestions": [{"topic_id", "title", "url", "title_html"}]}``; with
    ``HX-Request`` or ``?format=html``: the list as an HTML fragment."""
    raw = request.GET.get("q", "")
    if len(raw) > MAX_QUERY_CHARS:
        message = _("The search is too long (at most %(n)d characters).") % {"n": MAX_QUERY_CHARS}
        return JsonResponse({"error": {"code": "invalid", "message": message, "field": "q"}}, status=400)
    q = clean_query(raw)
    suggestions = selectors.suggest_titles(user=request.user, q=q, limit=SUGGEST_LIMIT) if q else []
    if getattr(request, "htmx", False) or request.GET.get("format") == "html":
        return render(request, "search/_suggestions.html", {"q": q, "suggestions": suggestions})
    return JsonResponse({"q": q, "suggestions": [
        {"topic_id": s.topic_id, "title": s.title, "url": s.url, "title_html": s.title_html} for s in suggestions
    ]})


@require_safe
@cache_control(private=True, max_age=30)
def similar(request):
    """Up to 5 topics similar to a title being typed (the new-topic form's hint), as the suggestion
    endpoint's JSON: ``{"q": ..., "suggestions": [{"topic_id", "title", "url", "title_html"}]}``."""
    raw = request.GET.get("q", "")
    if len(raw) > MAX_QUERY_CHARS:
        message = _("The search is too long (at most %(n)d characters).") % {"n": MAX_QUERY_CHARS}
        return JsonResponse({"error": {"code": "invalid", "message": message, "field": "q"}}, status=400)
    q = clean_query(raw)
    found = selectors.similar_topics(user=request.user, title=q) if q else []
    return JsonResponse({"q": q, "suggestions": [
        {"topic_id": s.topic_id, "title": s.title, "url": s.url, "title_html": s.title_html} for s in found
    ]})

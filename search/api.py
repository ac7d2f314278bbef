"""Search in the JSON API (/api/v1/search, /api/v1/search/suggest). Input is validated by the
same SearchForm as the page; errors use the API's envelope (forum.api's handlers)."""

from datetime import date, datetime

from django.utils.translation import gettext as _
from ninja import Router, Schema

from forum.api_schemas import ErrorOut
from forum.errors import InvalidInput
from forum.tokens import READ_AUTH

from . import selectors
from .forms import SearchForm
from .text import MAX_QUERY_CHARS, clean_query

router = Router(tags=["search"])
ANONYMOUS_OK = {"security": [{}]}
ERRORS = dict.fromkeys((400, 401, 422), ErrorOut)


class SearchCategoryRef(Schema):
    id: int
    slug: str
    name: str


class HitOut(Schema):
    type: str
    id: int
    topic_id: int
    post_number: int
    title: str
    title_html: str
    snippet_html: str
    url: str
    category: SearchCategoryRef | None
    author: str
    author_name: str
    created_at: datetime
    votes: int
    featured: bool


class FacetOut(Schema):
    key: str
    label: str
    count: int


class SearchOut(Schema):
    q: str
    terms: list[str]
    total: int
    total_capped: bool  # true: there are more than ``total`` matches (and facet counts are lower bounds)
    page: int
    pages: int
    per_page: int
    sort: str
    substring: bool
    results: list[HitOut]
    facets: dict[str, list[FacetOut]]
    spelling: list[str]


class SuggestionOut(Schema):
    topic_id: int
    title: str
    title_html: str
    url: str


class SuggestOut(Schema):
    q: str
    suggestions: list[SuggestionOut]


def _form_error(form):
    for name, errors in form.errors.items():
        raise InvalidInput(str(errors[0]), field=None if name == "__all__" else name)


@router.get("/search", response={200: SearchOut, **ERRORS}, auth=READ_AUTH, openapi_extra=ANONYMOUS_OK,
            summary="Search posts")
def search(request, q: str = "", category: str = "", tag: str = "", author: str = "", date_from: date | None = None,
           date_to: date | None = None, featured: bool = False, sort: str = "relevance", page: int = 1,
           per_page: int = 20, any: bool = False, hidden: bool = False):
    """Words are matched in Chinese and English (all words must match; `any=true` to match any).
    Only what the caller may read is returned; `hidden=true` adds hidden posts for moderators.
    `title_html` and `snippet_html` are escaped HTML whose only tags are `<mark>`."""
    user = request.auth
    data = {"q": q, "category": category, "tag": tag, "author": author, "date_from": date_from or "",
            "date_to": date_to or "", "featured": featured, "sort": sort, "page": page, "per_page": per_page,
            "any": any, "hidden": hidden}
    form = SearchForm({k: v for k, v in data.items() if v not in ("", False, None)}, user=user)
    if not form.is_valid():
        _form_error(form)
    params = form.params(facets=True)
    results = selectors.search(user=user, params=params, include_hidden=form.include_hidden)
    facets = {}
    for name, buckets in results.facets.items():
        out = []
        for key, count in buckets:
            if name == "category":
                out.append({"key": key.slug, "label": key.name, "count": count})
            elif name == "tag":
                out.append({"key": key.slug, "label": key.name, "count": count})
            else:
                out.append({"key": str(key), "label": str(key), "count": count})
        facets[name] = out
    return {
        "q": params.q, "terms": results.terms, "total": results.total, "total_capped": results.total_capped,
        "page": params.page,
        "pages": results.num_pages, "per_page": params.per_page, "sort": params.sort,
        "substring": results.substring, "spelling": results.spelling, "facets": facets,
        "results": [{
            "type": h.object_type, "id": h.object_id, "topic_id": h.topic_id, "post_number": h.post_number,
            "title": h.title, "title_html": h.title_html, "snippet_html": h.snippet_html, "url": h.url,
            "category": ({"id": h.category.pk, "slug": h.category.slug, "name": h.category.name}
                         if getattr(h, "category", None) else None),
            "author": h.author_username, "author_name": h.author_name, "created_at": h.created_at,
            "votes": h.votes, "featured": h.featured,
        } for h in results.hits],
    }


@router.get("/search/suggest", response={200: SuggestOut, **ERRORS}, auth=READ_AUTH, openapi_extra=ANONYMOUS_OK,
            summary="Topic titles for a partly typed query")
def suggest(request, q: str = "", limit: int = 8):
    if len(q) > MAX_QUERY_CHARS:
        raise InvalidInput(_("The search is too long (at most %(n)d characters).") % {"n": MAX_QUERY_CHARS},
                           field="q")
    if not 1 <= limit <= 20:
        raise InvalidInput(_("Ask for 1 to 20 suggestions."), field="limit")
    q = clean_query(q)
    suggestions = selectors.suggest_titles(user=request.auth, q=q, limit=limit) if q else []
    return {"q": q, "suggestions": [
        {"topic_id": s.topic_id, "title": s.title, "title_html": s.title_html, "url": s.url} for s in suggestions
    ]}


def register(api):
    api.add_router("/", router)
    return api

"""Reads for the search page and API: the backend's answer for this reader, with the names the
page needs (categories, tags) fetched in one query each."""

from forum.models import Category, Tag

from .backends.base import get_backend
from .documents import SearchParams
from .visibility import visibility_for


def search(*, user, params: SearchParams, include_hidden=False):
    visibility = visibility_for(user, include_hidden=include_hidden)
    results = get_backend().search(params, visibility)
    category_ids = {hit.category_id for hit in results.hits}
    category_ids |= {cid for cid, _n in results.facets.get("category", [])}
    categories = Category.objects.only("id", "name", "slug", "color").in_bulk(sorted(category_ids))
    for hit in results.hits:
        hit.category = categories.get(hit.category_id)
    if results.facets:
        results.facets["category"] = [
            (categories[cid], n) for cid, n in results.facets.get("category", []) if cid in categories
        ]
        tags = {t.slug: t for t in Tag.objects.filter(slug__in=[s for s, _n in results.facets.get("tag", [])])}
        results.facets["tag"] = [(tags[s], n) for s, n in results.facets.get("tag", []) if s in tags]
    return results


def suggest_titles(*, user, q, limit=8):
    return get_backend().suggest(q, visibility_for(user), limit=limit)

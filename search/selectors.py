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


SIMILAR_LIMIT = 5


def similar_topics(*, user, title, limit=SIMILAR_LIMIT):
    """Topics like a title being typed (the new-topic form's hint): a relevance search for *any* of
    its words (a new title rarely holds every word of an old one, so the all-words suggest misses
    them), opening posts only, one per topic, at most `limit`. Works on every backend through
    the one interface; Chinese titles are segmented by search.text (jieba) on the database backend."""
    from .documents import Suggestion

    params = SearchParams(q=title, match_any=True, sort="relevance", per_page=limit * 4)
    results = get_backend().search(params, visibility_for(user))
    seen, found = set(), []
    for hit in results.hits:
        if hit.post_number != 1 or hit.topic_id in seen:
            continue
        seen.add(hit.topic_id)
        found.append(Suggestion(topic_id=hit.topic_id, title=hit.title, url=hit.url, title_html=hit.title_html))
        if len(found) == limit:
            break
    return found

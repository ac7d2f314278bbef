"""HTML fragments of activity widgets (a poll, a lottery card) for realtime/static/realtime/live.js.

The contract with the realtime side: the widget's root element carries
`data-live-refresh="poll:<id>"` (or `lottery:<id>`) and `data-fragment-url`; on a "poll.updated"
(payload poll_id) or "lottery.drawn" (payload lottery_id) event live.js GETs that URL and replaces
the element with the response, which is exactly that root element rendered for the current reader.

Responses are small (the one element, no page around it) and cache-friendly: an ETag computed
from what the reader sees (not from the HTML, whose CSRF token changes at every render), answered
with 304 Not Modified when it matches If-None-Match; `Cache-Control: private, no-cache` because the
fragment depends on the reader and must be revalidated. Guests' fragments of a topic's widgets are
rendered once per change and shared (forum.cache, versioned by the topic)."""

import hashlib

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.translation import get_language

from forum import cache as fragment_cache
from forum.lib import redirects


def safe_next(request, url):
    """`url` when it is a local address of this site, else None (forum.lib.redirects decides)."""
    return redirects.safe_next(request, url)


def etag_for(request, *state):
    raw = repr((request.user.pk, get_language(), *state)).encode()
    return '"' + hashlib.sha256(raw).hexdigest()[:32] + '"'


def fragment_response(request, template, build, *, state, topic_id=None, cache_name="", cache_parts=()):
    """The fragment: `build()` gives the template's context, `state(context)` what the reader sees
    (members' ETag). Guests of a topic's widget share one rendering, kept in the forum's fragment
    cache under the topic's version (every change to a poll or lottery bumps it, so it is never
    stale): a vote seen live by a thousand guests is rendered once, not a thousand times."""
    if topic_id and not request.user.is_authenticated:
        html = fragment_cache.cached_fragment(
            scope="topic", ident=topic_id, name=cache_name, parts=(get_language(), *cache_parts),
            render=lambda: render_to_string(template, build(), request=request))
        etag = etag_for(request, html)
        response = get_conditional_response(request, etag=etag) or HttpResponse(html)
    else:
        context = build()
        etag = etag_for(request, *state(context))
        response = get_conditional_response(request, etag=etag)
        if response is None:
            response = render(request, template, context)
    response["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    return response

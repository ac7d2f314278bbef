"""The tip button on each post by someone else (forum.hooks.post_tools). It runs no query: the
bounds and the daily cap come from settings; the level gate, the cap left today and the balance
are checked by the service when the member sends the tip, and shown as its message."""

import uuid
from types import SimpleNamespace

from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .rules import tip_rules


def tip_choices(rules):
    picks = [n for n in (5, 10, 20, 50, 100) if rules["MIN_AMOUNT"] <= n <= rules["MAX_AMOUNT"]]
    return picks or [rules["MIN_AMOUNT"]]


def render_tip_form(request, post, *, message="", ok=False, request_key=None):
    rules = tip_rules()
    return render_to_string("tips/tip_form.html", {
        "post": post, "rules": rules, "choices": tip_choices(rules), "request_key": request_key or uuid.uuid4().hex,
        "csrf_token": get_token(request), "message": message, "ok": ok})


# The form is the same on every post of a page but for the post's id and its own request key: it is
# rendered once per request with these stand-ins and copied for each post (a template render per post
# was a quarter of a member's topic page, cProfile via bench/profile_pages.py).
_STAND_IN_PK = 2_147_480_001
_STAND_IN_KEY = "7d1c" * 8


def tip_button(request, post, topic):
    if post.author_id == request.user.pk:
        return []
    form = getattr(request, "_huoli_tip_form", None)
    if form is None:
        form = render_tip_form(request, SimpleNamespace(pk=_STAND_IN_PK), request_key=_STAND_IN_KEY)
        request._huoli_tip_form = form
    html = form.replace(str(_STAND_IN_PK), str(post.pk)).replace(_STAND_IN_KEY, uuid.uuid4().hex)
    return [mark_safe(html)]  # noqa: S308 - the template escaped what it rendered; ids and a hex key added

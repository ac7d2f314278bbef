"""The tip button on each post by someone else (forum.hooks.post_tools). It runs no query: the
bounds and the daily cap come from settings; the level gate, the cap left today and the balance
are checked by the service when the member sends the tip, and shown as its message."""

import uuid

from django.middleware.csrf import get_token
from django.template.loader import render_to_string

from .rules import tip_rules


def tip_choices(rules):
    picks = [n for n in (5, 10, 20, 50, 100) if rules["MIN_AMOUNT"] <= n <= rules["MAX_AMOUNT"]]
    return picks or [rules["MIN_AMOUNT"]]


def render_tip_form(request, post, *, message="", ok=False):
    rules = tip_rules()
    return render_to_string("tips/tip_form.html", {
        "post": post, "rules": rules, "choices": tip_choices(rules), "request_key": uuid.uuid4().hex,
        "csrf_token": get_token(request), "message": message, "ok": ok})


def tip_button(request, post, topic):
    if post.author_id == request.user.pk:
        return []
    return [render_tip_form(request, post)]

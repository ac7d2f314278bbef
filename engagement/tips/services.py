"""Tipping a post: the tipper's spend and the author's credit are two ledger entries in one
transaction with the Tip row, so points are moved, never minted or lost.

The per-day cap (settings.HUOLI_TIPS["DAILY_CAP"], points given per tipper per local day) is
checked under the tipper's points-account row lock, so concurrent tips by the same member cannot
pass it together. Both accounts are locked up front in member-id order, so A tipping B while B
tips A cannot deadlock."""

import re

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from engagement.points import services as points
from engagement.points.periods import day_bounds, local_day
from forum.errors import Conflict, InvalidInput
from forum.models import Post
from forum.services import notification_create

from . import permissions
from .models import Tip
from .rules import tip_rules

_KEY_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


@transaction.atomic
def tip_post(*, actor, post_id, amount, request_key):
    """Give `amount` points to the author of a post. Returns the Tip (the existing one, marked
    .duplicate = True, when this request key was already used)."""
    key = str(request_key or "").strip()
    if not _KEY_RE.match(key):
        raise InvalidInput(_("A tip needs a request key of 1 to 64 letters, digits or -_.:"), field="request_key")
    post = Post.objects.select_related("topic", "topic__category", "author").filter(pk=post_id).first()
    if post is None:
        raise InvalidInput(_("There is no such post."), code="not_found", field="post")
    permissions.check_tip(actor, post)
    rules = tip_rules()
    if isinstance(amount, bool) or not isinstance(amount, int) or not rules["MIN_AMOUNT"] <= amount <= rules["MAX_AMOUNT"]:
        raise InvalidInput(_("A tip is between %(lo)d and %(hi)d points.") % {
            "lo": rules["MIN_AMOUNT"], "hi": rules["MAX_AMOUNT"]}, field="amount")
    for member_id in sorted({actor.pk, post.author_id}):  # a fixed order: no deadlock between two tippers
        points.points_account_lock(member_id=member_id)
    existing = Tip.objects.filter(tipper_id=actor.pk, request_key=key).first()
    if existing is not None:
        existing.duplicate = True
        return existing
    now = timezone.now()
    start, end = day_bounds(local_day(now))
    given = Tip.objects.filter(tipper_id=actor.pk, created_at__gte=start, created_at__lt=end).aggregate(
        s=Sum("amount"))["s"] or 0
    if given + amount > rules["DAILY_CAP"]:
        raise Conflict(_("You can give at most %(cap)d points in tips a day; %(left)d left today.") % {
            "cap": rules["DAILY_CAP"], "left": max(rules["DAILY_CAP"] - given, 0)}, code="daily_cap")
    spend = points.points_spend(member=actor, amount=amount, reason="tip_given", key=key,
                                note=f"post {post.pk}")
    credit = points.points_credit(member=post.author, amount=amount, reason="tip_received",
                                  key=f"{actor.pk}:{key}", note=f"post {post.pk}")
    tip = Tip.objects.create(post=post, tipper_id=actor.pk, author_id=post.author_id, amount=amount,
                             request_key=key, spend_entry=spend, credit_entry=credit, created_at=now)
    tip.duplicate = False
    name = actor.name if hasattr(actor, "name") else actor.username
    # in the tip's own transaction: the author is told exactly when the points moved (never lost after a commit)
    notification_create(recipient=post.author, kind="system", actor=actor, post=post,
                        message=_("%(name)s tipped your post %(n)d points.") % {"name": name, "n": amount})
    return tip

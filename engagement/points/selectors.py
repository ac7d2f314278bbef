"""Reads of the points ledger for pages, the API and the other engagement apps."""

import time
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.utils import timezone

from forum.selectors import paginate

from .models import CategoryMultiplier, PointsAccount, PointsEntry, PointsRule, TimedMultiplier

RULES_CACHE_KEY = "engagement:points:rules:v1"
RULES_CACHE_SECONDS = 300
# how long one process trusts its own copy of the rules before it reads the shared cache again:
# an award reads no rule rows and, most of the time, not even the cache; an admin edit drops the
# shared copy at once (hooks._rules_changed) and reaches every process within this many seconds
RULES_LOCAL_SECONDS = 2.0
_local_rules = {"data": None, "at": 0.0}


@dataclass(frozen=True)
class RuleInfo:
    code: str
    name: str
    points: int
    daily_cap: int
    is_active: bool


def _local_seconds():
    # the test suite edits rules with queryset.update() and clears the shared cache between tests
    return 0.0 if getattr(settings, "TESTING", False) else RULES_LOCAL_SECONDS


def rules_snapshot():
    """Rules and multipliers: a copy in this process (RULES_LOCAL_SECONDS), then the shared cache
    (dropped whenever an operator edits a rule or a multiplier), then the database."""
    now = time.monotonic()
    data = _local_rules["data"]
    if data is not None and now - _local_rules["at"] < _local_seconds():
        return data
    data = cache.get(RULES_CACHE_KEY)
    if data is None:
        rules = {
            r.code: RuleInfo(r.code, r.name, r.points, r.daily_cap, r.is_active)
            for r in PointsRule.objects.all()
        }
        category = {
            (m.rule.code if m.rule_id else None, m.category_id): m.multiplier
            for m in CategoryMultiplier.objects.select_related("rule")
        }
        timed = [
            (m.rule.code if m.rule_id else None, m.category_id, m.multiplier, m.starts_at, m.ends_at)
            for m in TimedMultiplier.objects.select_related("rule").filter(ends_at__gt=timezone.now())
        ]
        data = {"rules": rules, "category": category, "timed": timed}
        cache.set(RULES_CACHE_KEY, data, RULES_CACHE_SECONDS)
    _local_rules.update(data=data, at=now)
    return data


def rules_invalidate():
    _local_rules.update(data=None, at=0.0)
    cache.delete(RULES_CACHE_KEY)


def rule_get(code):
    return rules_snapshot()["rules"].get(code)


def multiplier_for(*, rule_code, category_id, at):
    """The product of the category multiplier (a rule-specific one wins over an all-rules one)
    and every time-boxed multiplier in force at `at` that matches the rule and category."""
    snap = rules_snapshot()
    cat = snap["category"]
    mult = Decimal("1")
    if category_id is not None:
        mult = cat.get((rule_code, category_id), cat.get((None, category_id), Decimal("1")))
    for code, cat_id, factor, starts_at, ends_at in snap["timed"]:
        if code not in (None, rule_code):
            continue
        if cat_id is not None and cat_id != category_id:
            continue
        if starts_at <= at < ends_at:
            mult *= factor
    return mult


def account_get(*, member):
    """The member's balance and lifetime earned (zeros for a member who never earned)."""
    account = PointsAccount.objects.filter(member_id=member.pk).first()
    return account or PointsAccount(member_id=member.pk, balance=0, lifetime_earned=0)


def points_history(*, member, page=1, per_page=20):
    """A page of the member's ledger, newest first, with the reversal links resolved."""
    qs = (
        PointsEntry.objects.filter(member_id=member.pk)
        .select_related("actor", "reverses")
        .order_by("-created_at", "-id")
    )
    return paginate(Paginator(qs, per_page), page)


def ledger_sums(*, member_ids=None):
    """{member_id: (balance, lifetime)} summed from the ledger (used by checks and tests)."""
    from django.db.models import Sum

    qs = PointsEntry.objects.all()
    if member_ids is not None:
        qs = qs.filter(member_id__in=list(member_ids))
    rows = qs.values("member_id").annotate(b=Sum("amount"), lt=Sum("lifetime_amount"))
    return {r["member_id"]: (r["b"] or 0, r["lt"] or 0) for r in rows}


def accounts_out_of_balance(*, member_ids=None):
    """Members whose cached balance or lifetime differs from the ledger: [(member_id, cached, ledger)]."""
    sums = ledger_sums(member_ids=member_ids)
    accounts = PointsAccount.objects.all()
    if member_ids is not None:
        accounts = accounts.filter(member_id__in=list(member_ids))
    wrong = []
    seen = set()
    for acct in accounts:
        seen.add(acct.member_id)
        expected = sums.get(acct.member_id, (0, 0))
        if (acct.balance, acct.lifetime_earned) != expected:
            wrong.append((acct.member_id, (acct.balance, acct.lifetime_earned), expected))
    for member_id, expected in sums.items():
        if member_id not in seen and expected != (0, 0):
            wrong.append((member_id, None, expected))
    return wrong


def source_url(entry):
    """A link to what earned or cost the points, when it is a forum post or topic."""
    from django.urls import reverse

    if entry.source_type == "forum.post" and entry.source_id:
        return reverse("forum:post", args=[entry.source_id])
    if entry.source_type == "forum.topic" and entry.source_id:
        return reverse("forum:topic_short", args=[entry.source_id])
    return ""

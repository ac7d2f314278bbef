"""Reads for the lifecycle dashboard, the CSV export and recall effectiveness."""

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from . import conf
from .models import MemberStage, RecallCampaign, RecallTemplate, Stage, StageDaily

FILTER_KEYS = ("q", "category", "inactive_days", "min_posts")
ORDERS = {"recent": "-last_active_at", "oldest": "last_active_at", "posts": "-posts", "baseline": "-baseline_rate"}


def lifecycle_members(*, stage=None, q="", category="", inactive_days="", min_posts="", order="recent"):
    """MemberStage rows (with member and main category) by stage and filters. Bad filter values
    are ignored (the form shows them as errors)."""
    qs = MemberStage.objects.select_related("member", "main_category")
    if stage:
        qs = qs.filter(stage=int(stage))
    q = str(q or "").strip()
    if q:
        qs = qs.filter(Q(member__username__icontains=q) | Q(member__display_name__icontains=q))
    if category:
        qs = qs.filter(main_category__slug=category)
    if str(inactive_days).isdigit():
        qs = qs.filter(last_active_at__lt=timezone.now() - datetime.timedelta(days=int(inactive_days)))
    if str(min_posts).isdigit():
        qs = qs.filter(posts__gte=int(min_posts))
    return qs.order_by(ORDERS.get(order, ORDERS["recent"]), "member_id")


def stage_counts():
    found = dict(MemberStage.objects.values_list("stage").annotate(n=Count("member_id")).values_list("stage", "n"))
    return [(Stage(s), found.get(s, 0)) for s in Stage.values]


def stage_history(*, days=90):
    """(labels, [(stage label, [count or None per day])]) for the last `days` classified days."""
    since = timezone.localdate() - datetime.timedelta(days=days - 1)
    rows = list(StageDaily.objects.filter(day__gte=since).values_list("day", "stage", "count"))
    day_list = sorted({d for d, _s, _c in rows})
    table = {(d, s): c for d, s, c in rows}
    series = [(Stage(s).label, [table.get((d, s)) for d in day_list]) for s in Stage.values]
    return day_list, series


def templates():
    return RecallTemplate.objects.all()


def campaigns_effectiveness():
    """Every campaign with sent, emailed, came back (within RETURN_DAYS), still open and the rate."""
    window = datetime.timedelta(days=conf.config()["RETURN_DAYS"])
    now = timezone.now()
    campaigns = list(RecallCampaign.objects.select_related("created_by", "template").annotate(
        sent=Count("recipients"),
        emailed=Count("recipients", filter=Q(recipients__emailed_at__isnull=False)),
        returned=Count("recipients", filter=Q(recipients__returned_at__isnull=False)),
    ).order_by("-created_at", "-id"))
    for c in campaigns:
        c.window_open = c.created_at + window > now
        c.rate = round(100.0 * c.returned / c.sent, 1) if c.sent else 0.0
    return campaigns

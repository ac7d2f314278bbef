"""Every read of the shop pages and API, and the economy-health figures for the operator console.

Economy figures come from the points ledger (engagement.points), which is the one source of truth:
- sources: entries that add points (earnings, staff grants, refunds/reversals that add);
- sinks: entries that take points away (spends, staff deductions, reversals that take back);
- circulation: the sum of all balances (equal to the ledger's sum, kept so by the points services);
- inflation: points issued per active member (a member with any ledger entry that week), by week.
"""

from datetime import timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from engagement.points.models import PointsAccount, PointsEntry

from .models import ShopItem, ShopOrder


def items_on_sale(*, at=None):
    at = at or timezone.now()
    return list(ShopItem.objects.filter(is_active=True).filter(
        Q(sale_starts_at__isnull=True) | Q(sale_starts_at__lte=at)).filter(
        Q(sale_ends_at__isnull=True) | Q(sale_ends_at__gt=at)))


def item_get(*, slug):
    return ShopItem.objects.filter(slug=slug, is_active=True).first()


def member_orders(*, member, limit=100):
    return list(ShopOrder.objects.filter(member_id=member.pk).select_related("item")[:limit])


def order_get(*, order_id):
    return ShopOrder.objects.select_related("item", "member").filter(pk=order_id).first()


def operator_orders(*, status="", limit=200):
    qs = ShopOrder.objects.select_related("item", "member")
    if status:
        qs = qs.filter(status=status)
    return list(qs[:limit])


def shown_title(member):
    if member is None or not getattr(member, "pk", None):
        return None
    """The shop title shown next to the member's name, or None. No query when the caller used
    select_related("shop_title") (engagement.selectors.MEMBER_FLAIR_RELATED)."""
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return member.shop_title.text
    except ObjectDoesNotExist:
        return None


def shown_decoration(member):
    """The shop decoration (style, name) framing the member's name, or None. It is read only when
    the caller selected it with the member (select_related("shop_decoration"), as forum pages and
    engagement.selectors.with_member_flair do), so a name never costs a query of its own."""
    if member is None or not getattr(member, "pk", None):
        return None
    from django.core.exceptions import ObjectDoesNotExist

    if not type(member).shop_decoration.is_cached(member):
        return None
    try:
        return member.shop_decoration
    except ObjectDoesNotExist:
        return None

# --- economy health ----------------------------------------------------------------------------
def _since(weeks):
    return timezone.now() - timedelta(weeks=weeks)


def economy_weekly(*, weeks=8):
    """[{week, sources, sinks, net, active_members, issued_per_active}] oldest first."""
    rows = (PointsEntry.objects.filter(created_at__gte=_since(weeks)).annotate(week=TruncWeek("created_at"))
            .values("week").annotate(sources=Sum("amount", filter=Q(amount__gt=0)),
                                     sinks=Sum("amount", filter=Q(amount__lt=0)),
                                     active=Count("member_id", distinct=True)).order_by("week"))
    out = []
    for r in rows:
        sources, sinks, active = r["sources"] or 0, -(r["sinks"] or 0), r["active"] or 0
        out.append({"week": r["week"].date() if hasattr(r["week"], "date") else r["week"], "sources": sources,
                    "sinks": sinks, "net": sources - sinks, "active_members": active,
                    "issued_per_active": round(sources / active, 1) if active else 0.0})
    return _every_week(out, weeks)


def _every_week(rows, weeks):
    """The weeks in which no points moved, as zero rows, so a chart's axis is time, not activity."""
    if not rows:
        return rows
    by_week = {r["week"]: r for r in rows}
    first, last = rows[0]["week"], timezone.localdate()
    out, week = [], first
    while week <= last and len(out) <= weeks:
        out.append(by_week.get(week) or {"week": week, "sources": 0, "sinks": 0, "net": 0, "active_members": 0,
                                         "issued_per_active": 0.0})
        week += timedelta(weeks=1)
    return out


def economy_by_reason(*, weeks=4):
    """Sources and sinks by reason over the last `weeks`, with the labels a person reads:
    [{reason, label, kind, kind_label, points, entries}], biggest sink first."""
    from engagement.points.labels import reason_label
    from engagement.points.models import PointsRule

    rows = list(PointsEntry.objects.filter(created_at__gte=_since(weeks)).values("reason", "kind")
                .annotate(points=Sum("amount"), entries=Count("id")).order_by("points"))
    names = dict(PointsRule.objects.filter(code__in={r["reason"] for r in rows}).values_list("code", "name"))
    kinds = dict(PointsEntry.Kind.choices)
    for r in rows:
        r["label"] = reason_label(r["reason"], names)
        r["kind_label"] = str(kinds.get(r["kind"], r["kind"]))
    return rows


def circulation():
    agg = PointsAccount.objects.aggregate(total=Sum("balance"), holders=Count("member_id", filter=Q(balance__gt=0)))
    return {"total": agg["total"] or 0, "holders": agg["holders"] or 0}


def top_earners(*, weeks=4, limit=10):
    return list(PointsEntry.objects.filter(created_at__gte=_since(weeks), amount__gt=0,
                                           kind__in=[PointsEntry.Kind.EARN, PointsEntry.Kind.GRANT])
                .values("member_id", "member__username").annotate(points=Sum("amount"))
                .order_by("-points", "member_id")[:limit])


def top_spenders(*, weeks=4, limit=10):
    rows = (PointsEntry.objects.filter(created_at__gte=_since(weeks), kind=PointsEntry.Kind.SPEND)
            .values("member_id", "member__username").annotate(spent=Sum("amount"))
            .order_by("spent", "member_id")[:limit])
    return [{**r, "points": -r.pop("spent")} for r in rows]


def shop_sales_by_item():
    """[{item_id, name, orders, points, cancelled, stock}] for every item, best-selling first."""
    items = ShopItem.objects.annotate(
        n_orders=Count("orders", filter=~Q(orders__status=ShopOrder.Status.CANCELLED)),
        n_points=Sum("orders__price", filter=~Q(orders__status=ShopOrder.Status.CANCELLED)),
        n_cancelled=Count("orders", filter=Q(orders__status=ShopOrder.Status.CANCELLED)),
    ).order_by("-n_orders", "id")
    return [{"item_id": i.pk, "name": i.name, "orders": i.n_orders, "points": i.n_points or 0,
             "cancelled": i.n_cancelled, "stock": i.stock} for i in items]


def with_circulation(weekly, total):
    """Points in circulation at the end of each week, walked back from today's total by each later
    week's net (the ledger is the only way points move, so the two agree)."""
    running = total
    for week in reversed(weekly):
        week["circulation"] = running
        running -= week["net"]
    return weekly


def economy_health(*, weeks=8):
    """Everything the operator console shows about the points economy, in one dict."""
    total = circulation()
    return {"weekly": with_circulation(economy_weekly(weeks=weeks), total["total"]),
            "by_reason": economy_by_reason(weeks=min(weeks, 4)), "circulation": total, "top_earners": top_earners(), "top_spenders": top_spenders(),
            "shop_sales": shop_sales_by_item()}

"""What the console shows, read from the rollup tables only (a constant number of queries, however
long the range): one dict per measure, used by the page, its charts and the CSV export."""

import datetime

from django.db.models import Count, Sum

from engagement.points.labels import reason_label
from engagement.points.models import PointsRule
from forum.models import Category

from .models import (
    CategoryDay,
    EventFact,
    KolDay,
    ModerationFact,
    PointsDay,
    RecallFact,
    RetentionWeek,
    SignupDay,
    SiteDay,
    TopicFact,
)
from .rollup import today, week_start

KOL_STATES = ("proposed", "accepted", "snoozed", "dismissed")


def categories():
    return list(Category.objects.order_by("position", "id").only("pk", "name", "slug"))


def _days(start, end):
    return [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]


def _median(qs, field):
    """The median of `field` over `qs` (non-null values): a count, then the middle one or two values
    (ORDER BY ... OFFSET on the rollup's index); two queries, whatever the data."""
    values = qs.exclude(**{f"{field}__isnull": True})
    n = values.count()
    picked = list(values.order_by(field).values_list(field, flat=True)[max(n - 1, 0) // 2: n // 2 + 1])
    if not n or not picked:
        return None, n
    return sum(picked) / len(picked), n


def _pct(part, whole):
    return round(100 * part / whole, 1) if whole else None


def activity(start, end):
    rows = {r.day: r for r in SiteDay.objects.filter(day__gte=start, day__lte=end)}
    days = []
    for day in _days(start, end):
        r = rows.get(day)
        dau, wau, mau, new = (r.dau, r.wau, r.mau, r.new_members) if r else (0, 0, 0, 0)
        days.append({"day": day, "dau": dau, "wau": wau, "mau": mau, "new_members": new,
                     "stickiness": _pct(dau, mau)})
    last = days[-1]
    avg_dau = sum(d["dau"] for d in days) / len(days)
    return {"days": days, "last": last, "avg_dau": round(avg_dau, 1),
            "new_members": sum(d["new_members"] for d in days),
            "stickiness": _pct(sum(d["dau"] for d in days), sum(d["mau"] for d in days))}


def funnel(start, end):
    totals = SignupDay.objects.filter(day__gte=start, day__lte=end).aggregate(
        signed_up=Sum("signed_up"), verified=Sum("verified"), profile=Sum("profile"),
        first_post=Sum("first_post"), returned=Sum("returned"))
    steps = []
    first = totals["signed_up"] or 0
    for key in ("signed_up", "verified", "profile", "first_post", "returned"):
        n = totals[key] or 0
        steps.append({"step": key, "count": n, "share": _pct(n, first)})
    return steps


def retention(start, end):
    """Cohorts (signup weeks) that start in the range, each with its cells by week after signup."""
    cohorts = {}
    for cell in RetentionWeek.objects.filter(cohort_week__gte=week_start(start), cohort_week__lte=end):
        row = cohorts.setdefault(cell.cohort_week, {"week": cell.cohort_week, "members": cell.members, "cells": {}})
        row["members"] = max(row["members"], cell.members)
        row["cells"][cell.week] = (cell.retained, _pct(cell.retained, cell.members))
    width = max((max(r["cells"]) + 1 for r in cohorts.values()), default=0)
    rows = []
    for week in sorted(cohorts):
        row = cohorts[week]
        row["cells"] = [row["cells"].get(k) for k in range(width)]
        rows.append(row)
    return {"weeks": list(range(width)), "rows": rows}


def content(start, end, category_id=None):
    qs = CategoryDay.objects.filter(day__gte=start, day__lte=end)
    if category_id is not None:
        qs = qs.filter(category_id=category_id)
    rows = {r["day"]: r for r in qs.values("day").annotate(
        topics=Sum("topics"), replies=Sum("replies"), reports_filed=Sum("reports_filed"),
        items_handled=Sum("items_handled"))}
    days = []
    for day in _days(start, end):
        r = rows.get(day) or {}
        days.append({"day": day, **{k: r.get(k) or 0 for k in ("topics", "replies", "reports_filed", "items_handled")}})
    return days


def first_replies(start, end, category_id=None):
    qs = TopicFact.objects.filter(day__gte=start, day__lte=end)
    if category_id is not None:
        qs = qs.filter(category_id=category_id)
    counts = qs.aggregate(topics=Count("topic_id"), answered=Count("first_reply_seconds"))
    median, _n = _median(qs, "first_reply_seconds")
    unanswered = counts["topics"] - counts["answered"]
    return {"topics": counts["topics"], "answered": counts["answered"], "unanswered": unanswered,
            "unanswered_share": _pct(unanswered, counts["topics"]),
            "median_seconds": median, "median_hours": round(median / 3600, 1) if median is not None else None}


def economy(start, end, category_id=None):
    qs = PointsDay.objects.filter(day__gte=start, day__lte=end)
    if category_id is not None:
        qs = qs.filter(category_id=category_id)
    names = dict(PointsRule.objects.values_list("code", "name"))
    reasons = []
    for row in qs.values("reason").annotate(issued=Sum("issued"), spent=Sum("spent"), entries=Sum("entries")):
        reasons.append({"reason": row["reason"], "label": reason_label(row["reason"], names),
                        "issued": row["issued"] or 0, "spent": row["spent"] or 0, "entries": row["entries"] or 0})
    reasons.sort(key=lambda r: (-(r["issued"] + r["spent"]), r["reason"]))
    return {"reasons": reasons, "issued": sum(r["issued"] for r in reasons),
            "spent": sum(r["spent"] for r in reasons),
            "sources": [r for r in reasons if r["issued"]], "sinks": sorted(
                (r for r in reasons if r["spent"]), key=lambda r: -r["spent"])}


def moderation(start, end, category_id=None):
    qs = ModerationFact.objects.filter(resolved_day__gte=start, resolved_day__lte=end)
    if category_id is not None:
        qs = qs.filter(category_id=category_id)
    median, handled = _median(qs, "handle_seconds")
    return {"handled": handled, "median_seconds": median,
            "median_hours": round(median / 3600, 1) if median is not None else None}


def events(start, end):
    rows = []
    current = today()
    for e in EventFact.objects.filter(starts_day__lte=end, ends_day__gte=start).order_by("-starts_day", "-event_id"):
        rows.append({"event_id": e.event_id, "title": e.title, "starts_day": e.starts_day, "ends_day": e.ends_day,
                     "participants": e.participants, "new_members": e.new_members, "posts": e.posts,
                     # retention is counted after the end: nothing to show while the event runs
                     "participants_retained": None if e.ends_day >= current else _pct(e.participants_retained,
                                                                                      e.participants),
                     "others": e.others,
                     "others_retained": None if e.ends_day >= current else _pct(e.others_retained, e.others)})
    return rows


def recalls(start, end):
    return [{"campaign_id": r.campaign_id, "name": r.name, "sent_day": r.sent_day, "recipients": r.recipients,
             "returned": r.returned, "returned_share": _pct(r.returned, r.recipients), "bonus_points": r.bonus_points}
            for r in RecallFact.objects.filter(sent_day__gte=start, sent_day__lte=end)
            .order_by("-sent_day", "-campaign_id")]


def kol(start, end):
    """The pipeline at the end of the range (the latest rolled-up day in it)."""
    latest = KolDay.objects.filter(day__gte=start, day__lte=end).order_by("-day").values_list("day", flat=True).first()
    counts = dict(KolDay.objects.filter(day=latest).values_list("state", "count")) if latest else {}
    return {"day": latest, "states": [{"state": s, "count": counts.get(s, 0)} for s in KOL_STATES]}


def dashboard(*, start, end, category_id=None):
    return {
        "activity": activity(start, end),
        "funnel": funnel(start, end),
        "retention": retention(start, end),
        "content": content(start, end, category_id),
        "first_replies": first_replies(start, end, category_id),
        "economy": economy(start, end, category_id),
        "moderation": moderation(start, end, category_id),
        "events": events(start, end),
        "recalls": recalls(start, end),
        "kol": kol(start, end),
    }


def has_rollups():
    return SiteDay.objects.exists()




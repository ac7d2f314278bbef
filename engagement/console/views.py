"""The operator's console: community health over a date range and an optional category, read from the
daily rollups (selectors), with charts (svg), explanations (labels) and one CSV of every measure."""

import io
from functools import wraps

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from forum.groups import selectors as group_selectors
from forum.lib.exports import SafeWriter
from forum.lib.web import login_redirect
from forum.views import shows_forum_errors

from . import labels, permissions, selectors, svg
from .forms import RangeForm, default_range


def operators_only(view):
    """Guests go to sign in; members who are not operators get 403."""

    @wraps(view)
    @shows_forum_errors
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return login_redirect(request)
        permissions.check_use_console(request.user)
        return view(request, *args, **kwargs)

    return wrapper


def _label(day):
    return day.strftime("%m-%d")


def _charts(data, category):
    days = data["activity"]["days"]
    x = [_label(d["day"]) for d in days]
    span = {"start": days[0]["day"].isoformat(), "end": days[-1]["day"].isoformat()}
    where = category.name if category else _("all categories")
    charts = {
        "activity": svg.line_chart(
            series=[(_("DAU"), [d["dau"] for d in days]), (_("WAU"), [d["wau"] for d in days]),
                    (_("MAU"), [d["mau"] for d in days])],
            labels=x, title=_("Active members per day, %(start)s to %(end)s") % span,
            desc=_("Lines for DAU, WAU and MAU by day; the table below lists the same values.")),
        "new_members": svg.line_chart(
            series=[(_("New members"), [d["new_members"] for d in days])], labels=x,
            title=_("New members per day, %(start)s to %(end)s") % span,
            desc=_("One point per day; the table below lists the same values."), height=150),
        "funnel": svg.bar_chart(
            rows=[(labels.FUNNEL_STEPS[s["step"]], s["count"]) for s in data["funnel"]],
            title=_("Activation funnel of members who signed up %(start)s to %(end)s") % span,
            desc=_("One bar per step; the table below lists counts and shares.")),
    }
    content = data["content"]
    charts["content"] = svg.line_chart(
        series=[(_("Topics"), [d["topics"] for d in content]), (_("Replies"), [d["replies"] for d in content])],
        labels=x, title=_("Topics and replies per day in %(where)s") % {"where": where},
        desc=_("Two lines, topics and replies by day; the table below lists the same values."))
    charts["moderation"] = svg.line_chart(
        series=[(_("Reports filed"), [d["reports_filed"] for d in content]),
                (_("Items handled"), [d["items_handled"] for d in content])],
        labels=x, title=_("Moderation load per day in %(where)s") % {"where": where},
        desc=_("Two lines, reports filed and queue items handled by day; the table below lists the same values."),
        height=160)
    economy = data["economy"]
    rows = [(r["label"], r["issued"]) for r in economy["sources"]] + [(r["label"], r["spent"]) for r in economy["sinks"]]
    kinds = ["source"] * len(economy["sources"]) + ["sink"] * len(economy["sinks"])
    charts["economy"] = svg.bar_chart(
        rows=rows, kinds=kinds, title=_("Points issued and spent by reason in %(where)s") % {"where": where},
        desc=_("Sources (points issued) first, then sinks (points spent); the table below lists the same values.")
    ) if rows else None
    charts["kol"] = svg.bar_chart(
        rows=[(labels.KOL_STATES[s["state"]], s["count"]) for s in data["kol"]["states"]],
        title=_("KOL candidates per state"), desc=_("One bar per state; the table below lists the same values."),
        label_width=160)
    return charts


def _heat(share):
    if share is None:
        return ""
    return f"heat-{min(5, int(share // 20))}"


def _context(request, form, start, end, category):
    data = selectors.dashboard(start=start, end=end, category_id=category.pk if category else None)
    for row in data["retention"]["rows"]:
        row["cells"] = [None if c is None else {"retained": c[0], "share": c[1], "heat": _heat(c[1])}
                        for c in row["cells"]]
    for step in data["funnel"]:
        step["label"] = labels.FUNNEL_STEPS[step["step"]]
    for state in data["kol"]["states"]:
        state["label"] = labels.KOL_STATES[state["state"]]
    data["groups"] = group_selectors.health_overview()  # few rows, four queries: read live, not rolled up
    query = request.GET.urlencode()
    return {"form": form, "start": start, "end": end, "category": category, "data": data,
            "charts": _charts(data, category), "explain": labels.EXPLAIN, "query": query,
            "has_rollups": selectors.has_rollups()}


def _parse(request):
    if not request.GET:
        start, end = default_range()
        return RangeForm(initial={"start": start, "end": end}), start, end, None, True
    form = RangeForm(request.GET)
    if form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"], form.cleaned_data["category"], True
    start, end = default_range()
    return form, start, end, None, False


@require_safe
@operators_only
def dashboard(request):
    form, start, end, category, ok = _parse(request)
    context = _context(request, form, start, end, category)
    context["form_ok"] = ok
    partial = getattr(request, "htmx", False) and not request.htmx.boosted
    template = "console/_sections.html" if partial else "console/dashboard.html"
    return render(request, template, context, status=200 if ok else 400)


def csv_rows(data):
    """Every measure of `data` (selectors.dashboard) as CSV rows: per section, its title, a header
    row, the rows and an empty row."""
    a = data["activity"]
    yield [_("Active members and new members")]
    yield [_("Day"), _("DAU"), _("WAU"), _("MAU"), _("Stickiness (DAU/MAU, %)"), _("New members")]
    for d in a["days"]:
        yield [d["day"].isoformat(), d["dau"], d["wau"], d["mau"], d["stickiness"], d["new_members"]]
    yield []
    yield [_("Activation funnel")]
    yield [_("Step"), _("Members"), _("Share of signups (%)")]
    for s in data["funnel"]:
        yield [str(labels.FUNNEL_STEPS[s["step"]]), s["count"], s["share"]]
    yield []
    yield [_("Weekly retention cohorts")]
    yield [_("Signup week"), _("Members"), *[_("Week %(n)d (%%)") % {"n": k} for k in data["retention"]["weeks"]]]
    for row in data["retention"]["rows"]:
        cells = [(c["share"] if isinstance(c, dict) else c[1]) if c else "" for c in row["cells"]]
        yield [row["week"].isoformat(), row["members"], *cells]
    yield []
    yield [_("Topics, replies and moderation per day")]
    yield [_("Day"), _("Topics"), _("Replies"), _("Reports filed"), _("Items handled")]
    for d in data["content"]:
        yield [d["day"].isoformat(), d["topics"], d["replies"], d["reports_filed"], d["items_handled"]]
    yield []
    f = data["first_replies"]
    yield [_("First replies")]
    yield [_("Topics"), _("Replied"), _("Not replied"), _("Not replied (%)"), _("Median hours to first reply")]
    yield [f["topics"], f["answered"], f["unanswered"], f["unanswered_share"], f["median_hours"]]
    yield []
    yield [_("Points economy")]
    yield [_("Reason"), _("Code"), _("Issued"), _("Spent"), _("Entries")]
    for r in data["economy"]["reasons"]:
        yield [r["label"], r["reason"], r["issued"], r["spent"], r["entries"]]
    yield []
    m = data["moderation"]
    yield [_("Moderation response")]
    yield [_("Items handled"), _("Median hours to handle")]
    yield [m["handled"], m["median_hours"]]
    yield []
    yield [_("Events")]
    yield [_("Event"), _("From"), _("To"), _("Participants"), _("New members"), _("Posts"),
           _("Participants active after (%)"), _("Non-participants"), _("Non-participants active after (%)")]
    for e in data["events"]:
        yield [e["title"], e["starts_day"].isoformat(), e["ends_day"].isoformat(), e["participants"],
               e["new_members"], e["posts"], e["participants_retained"], e["others"], e["others_retained"]]
    yield []
    yield [_("Recall campaigns")]
    yield [_("Campaign"), _("Sent"), _("Recipients"), _("Came back"), _("Came back (%)"), _("Bonus points")]
    for r in data["recalls"]:
        yield [r["name"], r["sent_day"].isoformat(), r["recipients"], r["returned"], r["returned_share"],
               r["bonus_points"]]
    yield []
    yield [_("KOL pipeline")]
    yield [_("State"), _("Members")]
    for s in data["kol"]["states"]:
        yield [str(labels.KOL_STATES[s["state"]]), s["count"]]
    if data.get("groups"):
        yield []
        yield [_("Group health")]
        yield [_("Group"), _("Main group"), _("Members"), _("Active this week"), _("Posts, last 4 weeks"),
               _("Approved (30 days)"), _("Rejected (30 days)"), _("Applications waiting"), _("Median hours to review")]
        for r in data["groups"]:
            g = r["group"]
            yield [g.name, g.parent.name if g.parent else "", r["members"], r["active_week"],
                   " / ".join(str(n) for n in r["posts_per_week"]), r["approved_30d"], r["rejected_30d"],
                   r["pending"], r["median_review_hours"]]


@require_safe
@operators_only
def export(request):
    form, start, end, category, ok = _parse(request)
    if not ok:
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    data = selectors.dashboard(start=start, end=end, category_id=category.pk if category else None)
    data["groups"] = group_selectors.health_overview()
    buffer = io.StringIO()
    writer = SafeWriter(buffer)
    writer.writerow([_("Huoli community health"), start.isoformat(), end.isoformat(),
                     category.name if category else _("all categories")])
    writer.writerow([])
    for row in csv_rows(data):
        writer.writerow(row)
    suffix = "" if category is None else "-" + (category.slug if category.slug.isascii() else str(category.pk))
    name = f"huoli-console-{start.isoformat()}-{end.isoformat()}{suffix}.csv"
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

"""The console's measures against the hand-computed community of conftest.py, the day boundary in
Asia/Shanghai, idempotent rollups, who may open the page, its query count and the CSV."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from engagement.console import rollup, selectors
from engagement.console.forms import default_range
from engagement.console.models import (
    ActiveDay,
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
from engagement.points.labels import REASONS
from tests.factories import UserFactory

from .conftest import FIRST, LAST

D = datetime.date


@pytest.fixture
def rolled(community):
    rollup.rollup_days(FIRST, LAST)
    return community


def test_active_members_follow_shanghai_days(rolled):
    dau = dict(SiteDay.objects.values_list("day", "dau"))
    assert [dau[FIRST + datetime.timedelta(days=n)] for n in range(9)] == [2, 4, 1, 1, 1, 0, 0, 0, 1]
    c = rolled
    # carol's vote at 23:30 and her reply at 00:30 (both 2026-03-02 in UTC) are two local days
    assert list(ActiveDay.objects.filter(member_id=c.carol.pk).order_by("day").values_list("day", flat=True)[:2]) \
        == [D(2026, 3, 2), D(2026, 3, 3)]
    last = SiteDay.objects.get(day=LAST)
    assert (last.wau, last.mau) == (3, 4)
    a = selectors.activity(FIRST, LAST)
    assert a["last"]["stickiness"] == 25.0
    # the range's DAU (10) over its MAU (2 + 4 * 8 = 34)
    assert a["stickiness"] == 29.4


def test_new_members_per_local_day(rolled):
    # bob signed up at 00:30 on 03-03 in Shanghai, still 03-02 in UTC
    new = dict(SiteDay.objects.values_list("day", "new_members"))
    assert (new[D(2026, 3, 2)], new[D(2026, 3, 3)], new[D(2026, 3, 4)]) == (1, 2, 0)
    assert selectors.activity(FIRST, LAST)["new_members"] == 3


def test_activation_funnel(rolled):
    steps = {s["step"]: s["count"] for s in selectors.funnel(FIRST, LAST)}
    assert steps == {"signed_up": 3, "verified": 2, "profile": 1, "first_post": 1, "returned": 1}
    # one day: bob and dave signed up on 03-03, bob verified, neither wrote a bio
    assert [s["count"] for s in selectors.funnel(D(2026, 3, 3), D(2026, 3, 3))] == [2, 1, 0, 0, 0]


def test_weekly_retention_cohorts(rolled):
    r = selectors.retention(FIRST, LAST)
    assert [row["week"] for row in r["rows"]] == [D(2026, 3, 2)]
    row = r["rows"][0]
    assert row["members"] == 3
    assert row["cells"][:2] == [(3, 100.0), (1, 33.3)]
    # carol's cohort (the week of 02-16) was active in its week 2
    assert RetentionWeek.objects.get(cohort_week=D(2026, 2, 16), week=2).retained == 1


def test_topics_and_replies_per_day_and_category(rolled):
    c = rolled
    days = {d["day"]: d for d in selectors.content(FIRST, LAST)}
    assert (days[D(2026, 3, 2)]["topics"], days[D(2026, 3, 2)]["replies"]) == (1, 0)
    assert (days[D(2026, 3, 3)]["topics"], days[D(2026, 3, 3)]["replies"]) == (2, 3)
    qa = {d["day"]: d for d in selectors.content(FIRST, LAST, c.qa.pk)}
    assert (qa[D(2026, 3, 3)]["topics"], qa[D(2026, 3, 3)]["replies"]) == (1, 2)


def test_first_reply_median_and_unanswered(rolled):
    c = rolled
    f = selectors.first_replies(FIRST, LAST)
    assert (f["topics"], f["unanswered"], f["unanswered_share"]) == (3, 1, 33.3)
    assert (f["median_seconds"], f["median_hours"]) == (28800, 8.0)
    assert TopicFact.objects.get(topic_id=c.t1.pk).first_reply_seconds == 14 * 3600
    qa = selectors.first_replies(FIRST, LAST, c.qa.pk)
    assert (qa["unanswered"], qa["median_seconds"]) == (0, 28800)
    news = selectors.first_replies(FIRST, LAST, c.news.pk)
    assert (news["topics"], news["unanswered_share"], news["median_seconds"]) == (1, 100.0, None)


def test_first_reply_found_on_a_later_day(community):
    """A topic answered days later: rolling up the reply's day fills the topic's wait."""
    c = community
    from .conftest import _reply

    _reply(c.t2, c.alice, "2026-03-06T08:00", 3)
    rollup.rollup_days(FIRST, LAST)
    assert TopicFact.objects.get(topic_id=c.t2.pk).first_reply_seconds == 3 * 86400


def test_economy_sources_and_sinks_with_labels(rolled):
    c = rolled
    e = selectors.economy(FIRST, LAST)
    by = {r["reason"]: r for r in e["reasons"]}
    assert (e["issued"], e["spent"]) == (34, 10)
    assert (by["topic_created"]["issued"], by["reply_created"]["issued"], by["checkin"]["issued"]) == (10, 4, 20)
    assert by["shop_redeem"]["spent"] == 10 and by["shop_redeem"]["issued"] == 0
    assert by["topic_created"]["label"] == str(REASONS["topic_created"])
    assert [r["reason"] for r in e["sinks"]] == ["shop_redeem"]
    qa = selectors.economy(FIRST, LAST, c.qa.pk)
    assert (qa["issued"], qa["spent"]) == (14, 0)


def test_moderation_load_and_response(rolled):
    c = rolled
    m = selectors.moderation(FIRST, LAST)
    assert (m["handled"], m["median_seconds"], m["median_hours"]) == (2, 9000, 2.5)
    assert selectors.moderation(FIRST, LAST, c.qa.pk)["median_hours"] == 2.0
    days = {d["day"]: d for d in selectors.content(FIRST, LAST)}
    assert [days[D(2026, 3, n)]["reports_filed"] for n in (3, 4, 5)] == [1, 1, 1]
    assert [days[D(2026, 3, n)]["items_handled"] for n in (3, 4, 5)] == [1, 0, 1]
    assert ModerationFact.objects.get(item_id__isnull=False, resolved_day=None).opened_day == D(2026, 3, 5)


def test_event_results_against_non_participants(rolled):
    [e] = selectors.events(FIRST, LAST)
    assert (e["participants"], e["new_members"], e["posts"]) == (2, 1, 2)
    assert (e["participants_retained"], e["others"], e["others_retained"]) == (100.0, 2, 50.0)
    assert (e["starts_day"], e["ends_day"]) == (D(2026, 3, 3), D(2026, 3, 4))


def test_recall_campaign_results(rolled):
    [r] = selectors.recalls(FIRST, LAST)
    assert (r["recipients"], r["returned"], r["returned_share"], r["bonus_points"]) == (2, 1, 50.0, 20)
    assert selectors.recalls(D(2026, 3, 5), LAST) == []


def test_kol_pipeline(rolled):
    k = selectors.kol(FIRST, LAST)
    assert {s["state"]: s["count"] for s in k["states"]} == {"proposed": 1, "accepted": 1, "snoozed": 0,
                                                             "dismissed": 0}
    before = selectors.kol(FIRST, D(2026, 3, 4))
    assert {s["state"]: s["count"] for s in before["states"]}["proposed"] == 0


def _snapshot():
    tables = [ActiveDay, SiteDay, CategoryDay, SignupDay, RetentionWeek, TopicFact, PointsDay, ModerationFact,
              EventFact, RecallFact, KolDay]
    out = {}
    for model in tables:
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in ("id", "computed_at")]
        out[model.__name__] = sorted(tuple(row) for row in model.objects.values_list(*fields))
    return out


def test_rollup_is_idempotent(rolled):
    first = _snapshot()
    assert first["SiteDay"] and first["PointsDay"] and first["TopicFact"]
    rollup.rollup_days(FIRST, LAST)
    rollup.rollup_day(D(2026, 3, 3))
    assert _snapshot() == first


def test_task_rolls_yesterday_and_today(community, clock):
    from engagement.console.tasks import console_rollup_task

    clock.set("2026-03-04T00:10")  # 16:10 UTC on 03-03: "today" is 03-04 in Shanghai
    assert console_rollup_task() == ["2026-03-03", "2026-03-04"]
    assert SiteDay.objects.get(day=D(2026, 3, 3)).dau == 4
    assert console_rollup_task(day="2026-03-02") == ["2026-03-02"]


def test_backfill_command(community, capsys):
    from django.core.management import call_command

    call_command("console_backfill", "--from", "2026-03-02", "--to", "2026-03-10")
    out = capsys.readouterr()
    assert "Rolled up 9 days" in out.out
    assert "9/9" in out.err
    assert SiteDay.objects.count() == 9


# --- the page ---------------------------------------------------------------------------------

def _url(**params):
    from urllib.parse import urlencode

    return reverse("console:dashboard") + ("?" + urlencode(params) if params else "")


def test_the_operators_group_exists(db):
    from django.contrib.auth.models import Group

    from engagement.console.permissions import OPERATORS, can_use_console

    assert Group.objects.filter(name=OPERATORS).exists()
    member = UserFactory()
    assert not can_use_console(member)
    member.groups.add(Group.objects.get(name=OPERATORS))
    member = type(member).objects.get(pk=member.pk)  # group names are cached per user object
    assert can_use_console(member)


def test_guest_is_sent_to_sign_in(client, db):
    response = client.get(_url())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_member_gets_403(client, community):
    client.force_login(community.alice)
    assert client.get(_url()).status_code == 403
    assert client.get(reverse("console:export")).status_code == 403


def test_operator_and_staff_get_the_page(client, rolled):
    c = rolled
    c.carol.groups.add(c.operators)
    client.force_login(c.carol)
    response = client.get(_url(start="2026-03-02", end="2026-03-10"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and "<title" in html and "春季问答周" in html and "三月召回" in html
    sections = client.get(_url(start="2026-03-02", end="2026-03-10"), HTTP_HX_REQUEST="true").content.decode()
    assert 'style="' not in sections and "<script" not in sections  # strict CSP: no inline style or script
    assert 'fill="#' not in sections  # colours come from console.css classes (light and dark)
    client.force_login(c.operator)
    response = client.get(_url())
    assert response.status_code == 200
    start, end = default_range()  # the last 30 days, shown in the form
    assert f'value="{start.isoformat()}"' in response.content.decode()
    assert f'value="{end.isoformat()}"' in response.content.decode()


def test_category_filter_and_htmx_partial(client, rolled):
    c = rolled
    client.force_login(c.operator)
    response = client.get(_url(start="2026-03-02", end="2026-03-10", category="news"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and 'id="activity-h"' in html
    assert response.context["data"]["first_replies"]["topics"] == 1


def test_bad_range_is_a_400_with_a_message(client, rolled):
    client.force_login(rolled.operator)
    response = client.get(_url(start="2026-03-10", end="2026-03-02"))
    assert response.status_code == 400
    assert response.context["form"].errors
    assert client.get(reverse("console:export") + "?start=nonsense").status_code == 400


def _queries(client, **params):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(_url(**params)).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_days_or_rows(client, rolled):
    client.force_login(rolled.operator)
    _queries(client)  # the operator's groups and unread count are cached from the first page on
    week = _queries(client, start="2026-03-04", end="2026-03-10")
    month = _queries(client, start="2026-02-09", end="2026-03-10")
    assert week == month
    with_category = _queries(client, start="2026-02-09", end="2026-03-10", category="qa")
    # twice the rows: more members, topics and days rolled up
    for _n in range(5):
        UserFactory()
    rollup.rollup_days(D(2026, 2, 9), LAST)
    assert _queries(client, start="2026-02-09", end="2026-03-10", category="qa") == with_category


def test_csv_has_every_measure(client, rolled):
    client.force_login(rolled.operator)
    response = client.get(reverse("console:export") + "?start=2026-03-02&end=2026-03-10&category=qa")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"] and "qa" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][1:3] == ["2026-03-02", "2026-03-10"]
    days = [r for r in rows if r and r[0] == "2026-03-03"]
    assert days[0][:6] == ["2026-03-03", "4", "4", "4", "100.0", "2"]  # activity: DAU WAU MAU stickiness new
    assert days[1][:5] == ["2026-03-03", "1", "2", "0", "0"]  # qa: topics replies reports handled
    assert ["topic_created", "10", "0", "2"] == next(r for r in rows if len(r) > 1 and r[1] == "topic_created")[1:]
    assert any(r and r[0] == "春季问答周" and r[3:6] == ["2", "1", "2"] for r in rows)
    assert any(r and r[0] == "三月召回" and r[2:4] == ["2", "1"] for r in rows)
    funnel = [r for r in rows if len(r) == 3 and r[2] in ("100.0", "66.7", "33.3")]
    assert [r[1] for r in funnel] == ["3", "2", "1", "1", "1"]

"""Leaderboards: ranks with ties, the viewer's own rank beyond the top N, per category and per
period, streak boards, page and API, and a query count that does not grow with the rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from engagement.checkin.services import checkin_today
from engagement.leaderboards import selectors
from engagement.points import services as points
from tests.factories import CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def earn(member, amount, key, category=None):
    points.points_award(member=member, rule_code="checkin_streak_bonus", amount=amount, source_type="t",
                        source_id=key, category=category)


def test_ranks_ties_and_own_rank_outside_top(clock):
    clock.set("2025-05-14 10:00")
    a, b, c, d = (UserFactory() for _ in range(4))
    earn(a, 30, "a"), earn(b, 20, "b"), earn(c, 20, "c"), earn(d, 5, "d")
    board = selectors.points_leaderboard(period="week", viewer=d, limit=3)
    assert [(r["rank"], r["member"].pk, r["value"]) for r in board["rows"]] == [(1, a.pk, 30), (2, b.pk, 20),
                                                                                (2, c.pk, 20)]
    assert board["me"] == (4, 5) and board["me_in_top"] is False
    assert selectors.points_leaderboard(period="week", viewer=b)["me"] == (2, 20)
    outsider = UserFactory()
    assert selectors.points_leaderboard(period="week", viewer=outsider)["me"] is None


def test_periods_and_categories(clock):
    cat = CategoryFactory()
    a, b = UserFactory(), UserFactory()
    clock.set("2025-04-20 10:00")  # a Sunday in April
    earn(a, 50, "old", category=cat)
    clock.set("2025-05-14 10:00")
    earn(b, 10, "new", category=cat)
    earn(a, 3, "new-elsewhere")

    def top(**kw):
        return [(r["member"].pk, r["value"]) for r in selectors.points_leaderboard(**kw)["rows"]]

    assert top(period="week") == [(b.pk, 10), (a.pk, 3)]
    assert top(period="month") == [(b.pk, 10), (a.pk, 3)]
    assert top(period="all") == [(a.pk, 53), (b.pk, 10)]
    assert top(period="all", category=cat) == [(a.pk, 50), (b.pk, 10)]
    assert top(period="week", category=cat) == [(b.pk, 10)]


def test_spending_does_not_lower_a_rank(clock):
    clock.set("2025-05-14 10:00")
    a = UserFactory()
    earn(a, 30, "a")
    points.points_spend(member=a, amount=30, reason="lottery", key="1")
    assert selectors.points_leaderboard(period="week")["rows"][0]["value"] == 30


def test_streak_boards(clock):
    a, b = UserFactory(), UserFactory()
    clock.set("2025-05-01 09:00")
    for _ in range(3):
        checkin_today(actor=a)
        clock.advance(days=1)
    checkin_today(actor=b)
    current = selectors.streak_leaderboard(board="current", viewer=b)
    assert [(r["member"].pk, r["value"]) for r in current["rows"]] == [(a.pk, 3), (b.pk, 1)]
    assert current["me"] == (2, 1)
    clock.advance(days=3)  # both streaks broken
    assert selectors.streak_leaderboard(board="current")["rows"] == []
    assert [r["value"] for r in selectors.streak_leaderboard(board="longest")["rows"]] == [3, 1]


def _page_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/leaderboard/?board=points&period=week")
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_page_query_count_does_not_grow(client, clock):
    clock.set("2025-05-14 10:00")
    viewer = UserFactory()
    earn(viewer, 1, "v")
    for i in range(3):
        earn(UserFactory(), 10 + i, f"m{i}")
    client.force_login(viewer)
    client.get("/leaderboard/")  # warm the caches (ladder)
    few, html = _page_queries(client)
    assert "#4" in html  # the viewer's own rank
    for i in range(6):
        earn(UserFactory(), 20 + i, f"n{i}")
    many, html = _page_queries(client)
    assert many == few
    assert "#10" in html


def test_api(client, clock):
    clock.set("2025-05-14 10:00")
    a = UserFactory()
    earn(a, 7, "a")
    data = client.get("/api/v1/leaderboard?board=points&period=all").json()
    assert data["results"][0]["member"]["username"] == a.username and data["results"][0]["value"] == 7
    assert data["me"] is None
    assert client.get("/api/v1/leaderboard?period=year").status_code == 400
    assert client.get("/api/v1/leaderboard?board=streak&kind=current").json()["results"] == []

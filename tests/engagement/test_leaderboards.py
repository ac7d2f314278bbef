"""Leaderboards: ranks with ties, the viewer's own rank beyond the top N, per category and per
period, streak boards, page and API, and a query count that does not grow with the rows.

Every board test runs twice: on the database path (indexed tables) and on the Redis path (sorted
sets kept on commit, rebuilt by Celery; skipped without REDIS_URL)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from engagement.checkin.services import checkin_today
from engagement.leaderboards import rankings, selectors
from engagement.leaderboards.tasks import leaderboards_rebuild_task
from engagement.points import services as points
from tests.factories import CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db


class Boards:
    def __init__(self, source, settings, capture):
        self.source, self.settings, self.capture = source, settings, capture
        settings.LEADERBOARDS_REDIS = source == "redis"

    def ready(self):
        """On Redis: rebuild every current board (as the Celery task does), so reads use Redis."""
        if self.source == "redis":
            assert leaderboards_rebuild_task("all") > 0

    def run(self, fn, *args, **kwargs):
        """Run a write and its after-commit effects (the ZINCRBY / ZADD on Redis)."""
        with self.capture(execute=True):
            return fn(*args, **kwargs)


@pytest.fixture(params=["database", pytest.param("redis", marks=pytest.mark.redis)])
def boards(request, settings, django_capture_on_commit_callbacks):
    return Boards(request.param, settings, django_capture_on_commit_callbacks)


@pytest.fixture
def redis_boards(settings, django_capture_on_commit_callbacks):
    """The Redis variant alone, for tests of what happens when Redis loses its data."""
    return Boards("redis", settings, django_capture_on_commit_callbacks)


def earn(boards, member, amount, key, category=None):
    boards.run(points.points_award, member=member, rule_code="checkin_streak_bonus", amount=amount,
               source_type="t", source_id=key, category=category)


def test_ranks_ties_and_own_rank_outside_top(clock, boards):
    clock.set("2025-05-14 10:00")
    boards.ready()
    a, b, c, d = (UserFactory() for _ in range(4))
    earn(boards, a, 30, "a"), earn(boards, b, 20, "b"), earn(boards, c, 20, "c"), earn(boards, d, 5, "d")
    board = selectors.points_leaderboard(period="week", viewer=d, limit=3)
    assert board["source"] == boards.source
    assert [(r["rank"], r["member"].pk, r["value"]) for r in board["rows"]] == [(1, a.pk, 30), (2, b.pk, 20),
                                                                                (2, c.pk, 20)]
    assert board["me"] == (4, 5) and board["me_in_top"] is False
    assert selectors.points_leaderboard(period="week", viewer=b)["me"] == (2, 20)
    assert selectors.points_leaderboard(period="week", viewer=b)["me_in_top"] is True
    assert selectors.points_leaderboard(period="week", viewer=c, limit=1)["me"] == (2, 20)
    outsider = UserFactory()
    assert selectors.points_leaderboard(period="week", viewer=outsider)["me"] is None


def test_periods_and_categories(clock, boards):
    cat = CategoryFactory()
    a, b = UserFactory(), UserFactory()
    clock.set("2025-04-20 10:00")  # a Sunday in April
    boards.ready()
    earn(boards, a, 50, "old", category=cat)
    clock.set("2025-05-14 10:00")
    boards.ready()
    earn(boards, b, 10, "new", category=cat)
    earn(boards, a, 3, "new-elsewhere")

    def top(**kw):
        board = selectors.points_leaderboard(**kw)
        assert board["source"] == boards.source
        return [(r["member"].pk, r["value"]) for r in board["rows"]]

    assert top(period="week") == [(b.pk, 10), (a.pk, 3)]
    assert top(period="month") == [(b.pk, 10), (a.pk, 3)]
    assert top(period="all") == [(a.pk, 53), (b.pk, 10)]
    assert top(period="all", category=cat) == [(a.pk, 50), (b.pk, 10)]
    assert top(period="week", category=cat) == [(b.pk, 10)]


def test_spending_does_not_lower_a_rank_and_a_reversal_does(clock, boards):
    clock.set("2025-05-14 10:00")
    boards.ready()
    a, b = UserFactory(), UserFactory()
    earn(boards, a, 30, "a")
    earn(boards, b, 20, "b")
    boards.run(points.points_spend, member=a, amount=30, reason="lottery", key="1")
    assert selectors.points_leaderboard(period="week")["rows"][0]["value"] == 30
    entry = points.points_award(member=a, rule_code="checkin_streak_bonus", amount=30, source_type="t",
                                source_id="a")  # the first award, returned again
    assert entry.duplicate
    boards.run(points.points_reverse, entry=entry, note="vote ring")
    board = selectors.points_leaderboard(period="all", viewer=a)
    assert board["source"] == boards.source
    assert [(r["member"].pk, r["value"]) for r in board["rows"]] == [(b.pk, 20)]
    assert board["me"] is None


def test_streak_boards(clock, boards):
    a, b = UserFactory(), UserFactory()
    clock.set("2025-05-01 09:00")
    boards.ready()
    for _ in range(3):
        boards.run(checkin_today, actor=a)
        clock.advance(days=1)
    boards.run(checkin_today, actor=b)
    current = selectors.streak_leaderboard(board="current", viewer=b)
    assert current["source"] == boards.source
    assert [(r["member"].pk, r["value"]) for r in current["rows"]] == [(a.pk, 3), (b.pk, 1)]
    assert current["me"] == (2, 1)
    assert selectors.streak_leaderboard(board="current", viewer=b, limit=1)["me"] == (2, 1)
    clock.advance(days=3)  # both streaks broken
    assert selectors.streak_leaderboard(board="current")["rows"] == []
    longest = selectors.streak_leaderboard(board="longest", viewer=b)
    assert [r["value"] for r in longest["rows"]] == [3, 1] and longest["me"] == (2, 1)


@pytest.mark.redis
def test_redis_loss_falls_back_to_the_database_and_a_rebuild_recovers(clock, redis_boards):
    boards = redis_boards
    clock.set("2025-05-14 10:00")
    boards.ready()
    a, b = UserFactory(), UserFactory()
    earn(boards, a, 7, "a")
    earn(boards, b, 9, "b")
    r = rankings.client()
    lost = list(r.scan_iter(match=rankings._prefix() + "*"))
    assert lost
    r.delete(*lost)  # Redis restarted without its data
    board = selectors.points_leaderboard(period="week", viewer=a)
    assert board["source"] == "database"
    assert [(x["member"].pk, x["value"]) for x in board["rows"]] == [(b.pk, 9), (a.pk, 7)] and board["me"] == (2, 7)
    earn(boards, a, 5, "a2")  # increments while the board is not ready do not make it ready
    assert selectors.points_leaderboard(period="week")["source"] == "database"
    leaderboards_rebuild_task("all")
    board = selectors.points_leaderboard(period="week", viewer=b)
    assert board["source"] == "redis"
    assert [(x["member"].pk, x["value"]) for x in board["rows"]] == [(a.pk, 12), (b.pk, 9)] and board["me"] == (2, 9)


@pytest.mark.redis
def test_rebuild_repairs_a_lost_increment(clock, redis_boards):
    boards = redis_boards
    clock.set("2025-05-14 10:00")
    boards.ready()
    a = UserFactory()
    points.points_award(member=a, rule_code="checkin_streak_bonus", amount=4, source_type="t", source_id="x")
    # committed, but the worker died before its after-commit ZINCRBY ran
    assert selectors.points_leaderboard(period="week")["rows"] == []
    leaderboards_rebuild_task("pts:w:2025-05-12:0")
    assert [(x["member"].pk, x["value"]) for x in selectors.points_leaderboard(period="week")["rows"]] == [(a.pk, 4)]


def test_rebuild_task_without_redis_does_nothing(settings):
    settings.LEADERBOARDS_REDIS = False
    assert not rankings.enabled()
    assert leaderboards_rebuild_task("all") == 0


def _page_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/leaderboard/?board=points&period=week")
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_page_query_count_does_not_grow(client, clock, boards):
    clock.set("2025-05-14 10:00")
    boards.ready()
    viewer = UserFactory()
    earn(boards, viewer, 1, "v")
    for i in range(3):
        earn(boards, UserFactory(), 10 + i, f"m{i}")
    client.force_login(viewer)
    client.get("/leaderboard/")  # warm the caches (ladder)
    few, html = _page_queries(client)
    assert "#4" in html  # the viewer's own rank
    for i in range(6):
        earn(boards, UserFactory(), 20 + i, f"n{i}")
    many, html = _page_queries(client)
    assert many == few
    assert "#10" in html


def test_api(client, clock, boards):
    clock.set("2025-05-14 10:00")
    boards.ready()
    a = UserFactory()
    earn(boards, a, 7, "a")
    data = client.get("/api/v1/leaderboard?board=points&period=all").json()
    assert data["results"][0]["member"]["username"] == a.username and data["results"][0]["value"] == 7
    assert data["me"] is None
    assert client.get("/api/v1/leaderboard?period=year").status_code == 400
    assert client.get("/api/v1/leaderboard?board=streak&kind=current").json()["results"] == []



def test_database_rank_far_down_a_large_board_is_cached_briefly(clock, settings, monkeypatch):
    from django.core.cache import cache

    settings.LEADERBOARDS_REDIS = False
    monkeypatch.setattr(selectors, "RANK_CACHE_FROM", 2)  # "large": two or more members above
    clock.set("2025-05-14 10:00")
    viewer, a, b = UserFactory(), UserFactory(), UserFactory()
    points.points_award(member=viewer, rule_code="checkin_streak_bonus", amount=1, source_type="t", source_id="v")
    points.points_award(member=a, rule_code="checkin_streak_bonus", amount=5, source_type="t", source_id="a")
    assert selectors.points_leaderboard(period="week", viewer=viewer, limit=1)["me"] == (2, 1)  # exact, not kept
    points.points_award(member=b, rule_code="checkin_streak_bonus", amount=6, source_type="t", source_id="b")
    assert selectors.points_leaderboard(period="week", viewer=viewer, limit=1)["me"] == (3, 1)  # kept from now on
    points.points_award(member=UserFactory(), rule_code="checkin_streak_bonus", amount=7, source_type="t",
                        source_id="c")
    assert selectors.points_leaderboard(period="week", viewer=viewer, limit=1)["me"] == (3, 1)
    cache.clear()  # half a minute later
    assert selectors.points_leaderboard(period="week", viewer=viewer, limit=1)["me"] == (4, 1)

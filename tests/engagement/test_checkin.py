"""Daily check-in: once per local day, streaks and bonuses, make-up check-ins, pages and API."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import translation

from engagement.checkin import selectors, services
from engagement.checkin.models import CheckIn, CheckinSettings, CheckinStats, StreakBonus
from engagement.points import services as points
from engagement.points.errors import InsufficientPoints
from engagement.points.models import PointsEntry
from engagement.points.selectors import account_get
from forum.errors import Conflict, NotAllowed
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(db):
    """A member since 2025-01-01, before every clock below: yesterday is in their make-up window
    (a member who joined today has none, see the make-up tests at the end)."""
    return UserFactory(date_joined=datetime.datetime(2025, 1, 1, 8, 0, tzinfo=ZoneInfo(settings.TIME_ZONE)))


def check_in(member):
    return services.checkin_today(actor=member)


def test_first_check_in(member, clock, ledger_consistent):
    clock.set("2025-05-01 08:00")
    row = check_in(member)
    assert (row.day.isoformat(), row.streak, row.points) == ("2025-05-01", 1, 2)
    assert account_get(member=member).balance == 2
    assert selectors.checkin_count_today() == 1


def test_twice_a_day_is_refused_and_writes_nothing(member, clock):
    clock.set("2025-05-01 00:00:01")
    check_in(member)
    clock.set("2025-05-01 23:59:59")
    before = PointsEntry.objects.count()
    with pytest.raises(Conflict) as exc:
        check_in(member)
    assert exc.value.code == "already_checked_in"
    assert CheckIn.objects.count() == 1 and PointsEntry.objects.count() == before


def test_local_midnight_not_utc(member, clock):
    # 23:59 and 00:01 in Asia/Shanghai are the same UTC date but two local days
    clock.set("2025-05-01 23:59")
    check_in(member)
    clock.set("2025-05-02 00:01")
    row = check_in(member)
    assert (row.day.isoformat(), row.streak) == ("2025-05-02", 2)


def test_streak_bonus_and_reset(member, clock):
    clock.set("2025-05-01 09:00")
    for _day in range(7):
        row = check_in(member)
        clock.advance(days=1)
    assert row.streak == 7 and row.points == 2 + 5  # the default bonus on day 7
    clock.advance(days=1)  # a missed day
    assert check_in(member).streak == 1
    stats = CheckinStats.objects.get(member=member)
    assert (stats.current_streak, stats.longest_streak, stats.total_days) == (1, 7, 8)


def test_make_up_mends_the_streak(member, clock, ledger_consistent):
    StreakBonus.objects.create(streak_day=3, points=4)
    clock.set("2025-05-01 09:00")
    check_in(member)  # day 1
    points.points_award(member=member, rule_code="featured", source_type="t", source_id="1")  # 2 + 5 = 7
    points.points_award(member=member, rule_code="featured", source_type="t", source_id="2")  # 12
    clock.set("2025-05-03 09:00")
    assert check_in(member).streak == 1  # the 2nd was missed
    row = services.checkin_makeup(actor=member)
    assert (row.day.isoformat(), row.is_makeup, row.streak, row.points) == ("2025-05-02", True, 2, 0)
    today = CheckIn.objects.get(member=member, day="2025-05-03")
    assert today.streak == 3 and today.points == 2 + 4  # the day-3 bonus now applies
    assert account_get(member=member).balance == 2 + 10 + 2 - 10 + 4
    spend = PointsEntry.objects.get(kind="spend")
    assert (spend.amount, spend.reason) == (-10, "checkin_makeup")
    assert CheckinStats.objects.get(member=member).current_streak == 3


def test_make_up_with_too_few_points_writes_nothing(member, clock):
    clock.set("2025-05-03 09:00")
    check_in(member)  # 2 points, the make-up costs 10
    with pytest.raises(InsufficientPoints) as exc:
        services.checkin_makeup(actor=member)
    assert "10" in exc.value.message
    assert not CheckIn.objects.filter(is_makeup=True).exists()
    assert not PointsEntry.objects.filter(kind="spend").exists()
    assert CheckinStats.objects.get(member=member).total_days == 1


def test_make_up_refused_when_yesterday_done_or_switched_off(member, clock):
    clock.set("2025-05-02 09:00")
    check_in(member)
    clock.set("2025-05-03 09:00")
    with pytest.raises(Conflict):
        services.checkin_makeup(actor=member)
    CheckinSettings.objects.filter(pk=1).update(makeup_enabled=False)
    with pytest.raises(NotAllowed):
        services.checkin_makeup(actor=member)


def test_guests_cannot_check_in(client):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotAllowed):
        services.checkin_today(actor=AnonymousUser())
    response = client.post("/checkin/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_page_button_and_calendar(client, member, clock):
    clock.set("2025-05-20 09:00")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the messages are asserted in the source language
    client.force_login(member)
    html = client.get("/checkin/").content.decode()
    assert 'action="/checkin/"' in html and "csrfmiddlewaretoken" in html
    response = client.post("/checkin/", follow=True)
    html = response.content.decode()
    assert CheckIn.objects.filter(member=member, day="2025-05-20").exists()
    assert 'class=" checked today"' in html  # today's cell in the calendar
    assert 'action="/checkin/"' not in html  # the button is gone for today
    response = client.post("/checkin/", follow=True)
    assert "already checked in" in response.content.decode()


def test_page_needs_csrf(member):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.post("/checkin/").status_code == 403
    assert not CheckIn.objects.exists()


def test_api_check_in(client, member, clock):
    clock.set("2025-05-20 09:00")
    client.force_login(member)
    status = client.get("/api/v1/checkin").json()
    assert status["checked_in_today"] is False and status["checked_in_today_count"] == 0
    first = client.post("/api/v1/checkin")
    assert first.status_code == 201 and first.json()["points"] == 2
    second = client.post("/api/v1/checkin")
    assert second.status_code == 409 and second.json()["error"]["code"] == "already_checked_in"
    makeup = client.post("/api/v1/checkin/makeup")
    assert makeup.status_code == 409 and makeup.json()["error"]["code"] == "insufficient_points"


def test_calendar_on_points_page(client, member, clock):
    clock.set("2025-05-20 09:00")
    check_in(member)
    client.force_login(member)
    html = client.get(f"/u/{member.username}/points/?month=2025-05").content.decode()
    assert "2025-05" in html and 'class=" checked today"' in html
    cal = selectors.checkin_calendar(member=member, year=2025, month=5)
    assert cal["checked_days"] == 1 and cal["next"] is None


# --- make-up only for a day the member missed (issue 15) -------------------------------------------
def test_a_member_who_joined_today_is_not_offered_a_make_up(client, clock):
    clock.set("2025-05-20 09:00")
    newcomer = UserFactory(date_joined=clock.current - datetime.timedelta(hours=1))
    client.force_login(newcomer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    html = client.get("/checkin/").content.decode()
    assert 'action="/checkin/"' in html  # today's check-in is offered
    assert 'action="/checkin/makeup/"' not in html and "补签昨天" not in html
    assert client.get("/api/v1/checkin").json()["can_make_up"] is False
    response = client.post("/api/v1/checkin/makeup")  # and the service refuses it too
    assert response.status_code == 409 and response.json()["error"]["code"] == "nothing_to_make_up"
    with translation.override("zh-hans"):
        with pytest.raises(Conflict) as exc:
            services.checkin_makeup(actor=newcomer)
    assert exc.value.message == "你是今天加入的：还没有错过的日子可以补签。"
    assert not CheckIn.objects.filter(is_makeup=True).exists()


def test_a_member_who_joined_yesterday_and_missed_it_is_offered_the_make_up(client, clock):
    clock.set("2025-05-20 09:00")
    joined = UserFactory(date_joined=datetime.datetime(2025, 5, 19, 23, 30, tzinfo=ZoneInfo(settings.TIME_ZONE)))
    client.force_login(joined)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    html = client.get("/checkin/").content.decode()
    assert 'action="/checkin/makeup/"' in html and "补签昨天（消耗 10 积分）" in html
    assert client.get("/api/v1/checkin").json()["can_make_up"] is True

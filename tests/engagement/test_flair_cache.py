"""The flair by members' names (level, chosen badge, shop title) comes to hot pages in one batch from
the cache (engagement.flair), not from five joins per member: it must never show a stale badge or
title, for members and guests, and must cost one query for a whole page of new names."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from engagement.badges import services as badges
from engagement.badges.models import Badge
from engagement.points import services as points
from engagement.shop import services as shop
from engagement.shop.models import MemberTitle, ShopItem
from forum import services as forum
from tests.conftest import clear_cache
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

BADGE = '<span class="member-badge" title="KOL">'


@pytest.fixture
def page(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.HUOLI = {**settings.HUOLI, "ANON_PAGE_CACHE_SECONDS": 0}  # the flair cache alone
    author = UserFactory(username="laozhang")
    topic = TopicFactory.create(author=author, title="Flair on the page")
    repliers = [UserFactory() for _ in range(4)]
    for member in repliers:
        forum.post_create(actor=member, topic=topic, body="同意")
    return topic, author, repliers


def _flair_queries(queries):
    return [q["sql"] for q in queries if "badges_badgechoice" in q["sql"]]


def test_a_page_of_new_names_costs_one_flair_query_then_none(client, page):
    topic, _author, _repliers = page
    clear_cache()
    with CaptureQueriesContext(connection) as cold:
        assert client.get(topic.get_absolute_url()).status_code == 200
    assert len(_flair_queries(cold.captured_queries)) == 1  # five names, one query
    with CaptureQueriesContext(connection) as warm:
        client.get(topic.get_absolute_url())
    assert _flair_queries(warm.captured_queries) == []


@pytest.mark.parametrize("signed_in", [False, True])
def test_a_chosen_badge_and_a_shop_title_show_at_once(client, page, signed_in):
    topic, author, repliers = page
    if signed_in:
        client.force_login(repliers[0])
    url = topic.get_absolute_url()
    assert BADGE not in client.get(url).content.decode()  # the flair is now cached
    moderator = UserFactory(is_staff=True)
    kol = Badge.objects.get(slug="kol")
    badges.badge_grant(actor=moderator, member=author, badge=kol, reason="好文章")
    badges.badge_choose(actor=author, badge=kol)
    assert BADGE in client.get(url).content.decode()
    item = ShopItem.objects.create(slug="title-ops", name="称号", kind=ShopItem.Kind.TITLE, title_text="运营达人",
                                   price=10)
    points.points_award(member=author, rule_code="checkin_streak_bonus", amount=50, source_type="test",
                        source_id="flair")
    shop.shop_redeem(actor=author, item_id=item.pk, request_key="flair-title")
    assert MemberTitle.objects.get(member=author).text == "运营达人"
    assert '<span class="member-title">运营达人</span>' in client.get(url).content.decode()
    badges.badge_choose(actor=author, badge=None)
    assert BADGE not in client.get(url).content.decode()


def test_an_edited_badge_shows_everywhere(client, page):
    topic, author, _repliers = page
    kol = Badge.objects.get(slug="kol")
    badges.badge_grant(actor=UserFactory(is_staff=True), member=author, badge=kol, reason="好文章")
    badges.badge_choose(actor=author, badge=kol)
    assert BADGE in client.get(topic.get_absolute_url()).content.decode()
    kol.name = "意见领袖"
    kol.save()
    html = client.get(topic.get_absolute_url()).content.decode()
    assert '<span class="member-badge" title="意见领袖">' in html

"""The member's profile (/u/<name>/) shows the engagement system to everyone who views it (issue 15): level and the
way to the next level, points, the check-in streak, badges and recent activity (topics and replies); one's own
profile adds links to the points history, check-in and shop. The page's queries do not grow with the number of
badges or posts (N and 2N)."""

import pytest
from django.test import Client
from django.urls import reverse

from engagement.badges.models import Badge, MemberBadge
from engagement.checkin.models import CheckinStats
from engagement.checkin.selectors import local_day
from forum import services
from tests.conftest import clear_cache
from tests.engagement.activities import give_points
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _member_with(n):
    member = UserFactory(username=f"prof{n}")
    staff = UserFactory(is_staff=True)
    give_points(member, 30, staff)
    CheckinStats.objects.create(member=member, current_streak=4, longest_streak=9, last_day=local_day(),
                                total_days=12)
    for i in range(n):
        badge = Badge.objects.create(slug=f"b{n}-{i}", name=f"勋章{i}", description="d", icon="🏅", position=i)
        MemberBadge.objects.create(member=member, badge=badge)
    topic = TopicFactory.create(author=member, title=f"我的话题 {n}")
    for i in range(n):
        services.post_create(actor=member, topic=topic, body=f"回复 {i}")
    return member


def _get(client, member):
    clear_cache()
    client.get("/")  # the level ladder and other shared caches, warm as on a live site
    return client.get(reverse("forum:member", args=[member.username]))


# profile for a guest: member, their recent posts, follows' counts, points account, check-in stats, badges
GUEST_PROFILE = 6
# the member's own profile: + user (the session, the member's groups and the unread count are cached since
# their first page)
OWN_PROFILE = 7


@pytest.mark.parametrize("n", [3, 6])
def test_the_profile_shows_level_points_streak_badges_and_activity_in_fixed_queries(n, django_assert_num_queries):
    member = _member_with(n)
    guest = Client()
    guest.cookies["django_language"] = "en"
    clear_cache()
    guest.get("/")
    with django_assert_num_queries(GUEST_PROFILE):
        response = guest.get(reverse("forum:member", args=[member.username]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "points to Lv" in body and 'class="level-progress"' in body
    assert "<dd>30</dd>" in body  # the balance
    assert "4 days" in body  # the streak
    assert body.count('class="profile-badges"') == 1 and body.count("勋章") == n
    assert body.count('<span class="badge badge-muted">Reply</span>') == min(n, 9)
    assert '<span class="badge badge-muted">Topic</span>' in body or n >= 10
    assert "Points history" not in body and 'href="/u/%s/points/"' % member.username in body

    own = Client()
    own.cookies["django_language"] = "en"
    own.force_login(member)
    clear_cache()
    own.get("/")
    with django_assert_num_queries(OWN_PROFILE):
        response = own.get(reverse("forum:member", args=[member.username]))
    body = response.content.decode()
    assert 'href="/me/points/">Points history</a>' in body and 'href="/checkin/"' in body and 'href="/shop/"' in body


def test_the_profile_in_chinese_says_how_far_the_next_level_is():
    member = _member_with(1)
    client = Client()
    client.cookies["django_language"] = "zh-hans"
    body = client.get(reverse("forum:member", args=[member.username])).content.decode()
    assert "积分" in body and "连续签到" in body and "最近动态" in body

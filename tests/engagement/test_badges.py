"""Badges: automatic rules awarded idempotently, backfill when a rule is added, manual grant and
revoke by moderators with a reason, and the badge shown next to the name."""

import pytest

from audit.models import AuditLog
from engagement.badges import services
from engagement.badges.models import Badge, MemberBadge
from engagement.checkin.services import checkin_today
from engagement.points import services as points
from forum import services as forum
from forum.errors import Conflict, InvalidInput, NotAllowed
from forum.models import Notification, User
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def held(member):
    return set(MemberBadge.objects.filter(member=member, revoked_at__isnull=True).values_list("badge__slug", flat=True))


def test_first_topic_badge_once(member, category, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        TopicFactory.create(author=member, category=category)
        TopicFactory.create(author=member, category=category, title="第二个话题标题")
    assert held(member) == {"first-topic"}
    assert Notification.objects.filter(recipient=member, message__contains="初来乍到").count() == 1


def test_first_featured_badge_from_a_points_award(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        points.points_award(member=member, rule_code="featured", source_type="forum.post", source_id="1")
    assert "first-featured" in held(member)


def test_upvotes_badge(member, category, django_capture_on_commit_callbacks):
    Badge.objects.filter(slug="upvotes-100").update(threshold=2)
    topic = TopicFactory.create(author=member, category=category)
    post = topic.posts.get(number=1)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            forum.post_vote(actor=UserFactory(), post=post, value=1)
    assert "upvotes-100" in held(member)


def test_streak_and_level_badges(member, clock, django_capture_on_commit_callbacks):
    clock.set("2025-05-01 09:00")
    for _ in range(7):
        with django_capture_on_commit_callbacks(execute=True):
            checkin_today(actor=member)
        clock.advance(days=1)
    assert "streak-7" in held(member) and "streak-30" not in held(member)
    with django_capture_on_commit_callbacks(execute=True):
        points.points_award(member=member, rule_code="checkin_streak_bonus", amount=1000, source_type="t",
                            source_id="1")
    assert "level-5" in held(member)


def test_backfill_when_a_rule_is_added(django_capture_on_commit_callbacks):
    veterans = [UserFactory() for _ in range(3)]
    User.objects.filter(pk__in=[veterans[0].pk, veterans[1].pk]).update(upvotes_received=60)
    User.objects.filter(pk=veterans[2].pk).update(upvotes_received=10)
    with django_capture_on_commit_callbacks(execute=True):
        badge = Badge.objects.create(slug="upvotes-50", name="五十赞", description="50", rule="upvotes_received",
                                     threshold=50)
        services.badge_schedule_backfill(badge=badge)
    assert set(MemberBadge.objects.filter(badge=badge).values_list("member_id", flat=True)) == {
        veterans[0].pk, veterans[1].pk}
    assert services.badges_backfill(badge_id=badge.pk) == 0  # running again awards nothing


def test_manual_grant_and_revoke_with_reason(moderator, member):
    kol = Badge.objects.get(slug="kol")
    with pytest.raises(NotAllowed):
        services.badge_grant(actor=UserFactory(), member=member, badge=kol, reason="friend")
    with pytest.raises(InvalidInput):
        services.badge_grant(actor=moderator, member=member, badge=kol, reason=" ")
    with pytest.raises(InvalidInput):
        services.badge_grant(actor=moderator, member=member, badge=Badge.objects.get(slug="first-topic"),
                             reason="automatic badges are not granted by hand")
    assert not MemberBadge.objects.exists()
    services.badge_grant(actor=moderator, member=member, badge=kol, reason="写了很多好文章")
    with pytest.raises(Conflict):
        services.badge_grant(actor=moderator, member=member, badge=kol, reason="again")
    services.badge_revoke(actor=moderator, member=member, badge=kol, reason="刷赞")
    assert held(member) == set()
    assert list(AuditLog.objects.order_by("id").values_list("action", "reason")) == [
        ("badges.grant", "写了很多好文章"), ("badges.revoke", "刷赞")]


def test_revoked_automatic_badge_is_not_given_back(moderator, member, category, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        TopicFactory.create(author=member, category=category)
    services.badge_revoke(actor=moderator, member=member, badge=Badge.objects.get(slug="first-topic"), reason="spam")
    services.badges_evaluate(member_id=member.pk)
    assert held(member) == set()


def test_chosen_badge_next_to_the_name(client, member, moderator):
    kol = Badge.objects.get(slug="kol")
    with pytest.raises(NotAllowed):
        services.badge_choose(actor=member, badge=kol)
    services.badge_grant(actor=moderator, member=member, badge=kol, reason="good")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the page text is asserted in the source language
    client.force_login(member)
    client.post("/me/badges/choose/", {"badge": "kol"})
    response = client.get(f"/u/{member.username}/badges/")
    assert "shown next to the name" in response.content.decode()
    assert '<span class="member-badge" title="KOL">' in response.content.decode()
    services.badge_revoke(actor=moderator, member=member, badge=kol, reason="no longer")
    assert '<span class="member-badge"' not in client.get(f"/u/{member.username}/badges/").content.decode()


def test_moderator_pages(client, moderator, member):
    client.force_login(moderator)
    html = client.get(f"/u/{member.username}/badges/").content.decode()
    assert 'action="/u/%s/badges/grant/"' % member.username in html
    client.post(f"/u/{member.username}/badges/grant/", {"badge": "kol", "reason": "很活跃"})
    assert held(member) == {"kol"}
    client.force_login(member)
    client.post(f"/u/{member.username}/badges/revoke/", {"badge": "kol", "reason": "I want it gone"})
    assert held(member) == {"kol"}


def test_badge_pages_and_api(client, member, moderator):
    services.badge_grant(actor=moderator, member=member, badge=Badge.objects.get(slug="kol"), reason="good")
    assert "KOL" in client.get("/badges/").content.decode()
    assert member.name in client.get("/badges/kol/").content.decode()
    data = client.get(f"/api/v1/badges/of/{member.username}").json()
    assert [b["badge"]["slug"] for b in data] == ["kol"]
    assert len(client.get("/api/v1/badges").json()) == Badge.objects.filter(is_active=True).count()

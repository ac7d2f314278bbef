"""The promotion ladder: the beat task proposes exactly the sub-group members who meet every rule, once;
the main group's owners promote with one click; promotion and demotion are notified and audited."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditLog
from engagement.ladder.models import PromotionRule
from engagement.ladder.tasks import ladder_evaluate_task
from engagement.levels.models import MemberLevel
from forum.groups import services as group_services
from forum.groups.models import Membership, PromotionProposal
from forum.models import MemberSanction, Notification, Post
from tests.factories import CategoryFactory, TopicFactory, UserFactory, add_member, make_group

pytestmark = pytest.mark.django_db


def _qualify(group, member, *, days=40, featured=3, level=4):
    Membership.objects.filter(group=group, member=member).update(
        joined_at=timezone.now() - datetime.timedelta(days=days))
    MemberLevel.objects.update_or_create(member=member, defaults={"level_number": level})
    category = CategoryFactory()
    for i in range(featured):
        topic = TopicFactory.create(author=member, category=category, title=f"{member.username} 的干货 {i}")
        Post.objects.filter(topic=topic, number=1).update(is_featured=True, featured_at=timezone.now())


@pytest.fixture
def ladder():
    w = type("W", (), {})()
    w.owner = UserFactory(username="owner")
    w.main = make_group(name="核心主群", slug="core", owner=w.owner, visibility="members")
    w.sub = make_group(name="新人营", slug="camp", parent=w.main, visibility="members", staff=w.main.created_by)
    PromotionRule.objects.create(group=w.sub, min_days=30, min_featured_posts=3, min_level=4, clean_days=90)
    w.good = add_member(w.sub, UserFactory(username="good"))
    _qualify(w.sub, w.good)
    w.new = add_member(w.sub, UserFactory(username="new"))
    _qualify(w.sub, w.new, days=10)
    w.few = add_member(w.sub, UserFactory(username="few"))
    _qualify(w.sub, w.few, featured=2)
    w.low = add_member(w.sub, UserFactory(username="low"))
    _qualify(w.sub, w.low, level=3)
    w.sanctioned = add_member(w.sub, UserFactory(username="sanctioned"))
    _qualify(w.sub, w.sanctioned)
    MemberSanction.objects.create(member=w.sanctioned, kind="silence", reason="刷屏",
                                  starts_at=timezone.now() - datetime.timedelta(days=20))
    w.already = add_member(w.sub, UserFactory(username="already"))
    _qualify(w.sub, w.already)
    add_member(w.main, w.already)
    w.old_sanction = add_member(w.sub, UserFactory(username="old_sanction"))
    _qualify(w.sub, w.old_sanction)
    MemberSanction.objects.create(member=w.old_sanction, kind="silence", reason="很久以前",
                                  starts_at=timezone.now() - datetime.timedelta(days=200))
    return w


def test_the_task_proposes_exactly_the_qualifiers_once(ladder):
    assert ladder_evaluate_task.delay().get() == {ladder.main.pk: 2}
    proposed = set(PromotionProposal.objects.filter(group=ladder.main).values_list("member__username", flat=True))
    assert proposed == {"good", "old_sanction"}
    assert Notification.objects.filter(recipient=ladder.owner, message__contains="2").count() == 1
    assert ladder_evaluate_task.delay().get() == {ladder.main.pk: 0}  # idempotent
    assert PromotionProposal.objects.filter(group=ladder.main).count() == 2


def test_one_click_promotion_and_demotion(ladder):
    ladder_evaluate_task.delay().get()
    proposal = PromotionProposal.objects.get(member=ladder.good)
    c = Client()
    c.force_login(ladder.owner)
    assert "good" in c.get(f"/groups/{ladder.main.slug}/promotions/").content.decode()
    assert c.post(f"/groups/{ladder.main.slug}/promotions/", {"proposal": proposal.pk,
                                                             "decision": "promote"}).status_code == 302
    assert Membership.objects.get(group=ladder.main, member=ladder.good).via == "promotion"
    assert AuditLog.objects.filter(action="moderation.group_promote", subject=ladder.good).count() == 1
    assert Notification.objects.filter(recipient=ladder.good, message__contains="核心主群").exists()
    # a second click changes nothing
    assert c.post(f"/groups/{ladder.main.slug}/promotions/", {"proposal": proposal.pk,
                                                             "decision": "promote"}).status_code == 409
    group_services.member_demote(actor=ladder.owner, group=ladder.main, member=ladder.good, reason="三个月没有产出")
    assert not Membership.objects.filter(group=ladder.main, member=ladder.good).exists()
    assert Membership.objects.filter(group=ladder.sub, member=ladder.good).exists()
    assert AuditLog.objects.filter(action="moderation.group_demote", subject=ladder.good).count() == 1
    assert Notification.objects.filter(recipient=ladder.good, message__contains="三个月没有产出").exists()


def test_only_the_main_groups_owners_promote(ladder):
    ladder_evaluate_task.delay().get()
    proposal = PromotionProposal.objects.get(member=ladder.good)
    deputy = add_member(ladder.main, UserFactory(), role="deputy")
    c = Client()
    c.force_login(deputy)
    assert c.post(f"/groups/{ladder.main.slug}/promotions/", {"proposal": proposal.pk,
                                                             "decision": "promote"}).status_code == 403
    assert not Membership.objects.filter(group=ladder.main, member=ladder.good).exists()

"""Deputy recruitment: staff open a round with requirements (level, tenure, activity) and a handbook; members
who meet them apply; staff appoint or reject with a note; the appointed deputy's powers wait for the handbook."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from engagement.levels.models import MemberLevel
from forum.errors import Conflict, InvalidInput, NotAllowed
from forum.groups import permissions, services
from forum.groups.models import DeputyCandidacy, Membership
from forum.models import Notification
from tests.factories import TopicFactory, UserFactory, add_member, make_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def r():
    w = type("W", (), {})()
    w.staff = UserFactory(is_staff=True)
    w.group = make_group(name="招募小组", slug="recruiting", staff=w.staff, questions=())
    w.round = services.round_open(actor=w.staff, group=w.group, title="第一期副组长招募", min_level=3, min_days=30,
                                  min_posts_30d=2, handbook_url="/pages/handbook/")
    w.ready = add_member(w.group, UserFactory(username="ready"))
    Membership.objects.filter(member=w.ready).update(joined_at=timezone.now() - datetime.timedelta(days=40))
    MemberLevel.objects.create(member=w.ready, level_number=3)
    for i in range(2):
        TopicFactory.create(author=w.ready, category=w.group.category, title=f"组内分享第{i}篇")
    w.newbie = add_member(w.group, UserFactory(username="newbie"))
    MemberLevel.objects.create(member=w.newbie, level_number=1)
    return w


def test_requirements_are_checked(r):
    unmet = services.round_unmet(round=r.round, member=r.newbie)
    assert len(unmet) == 3  # tenure, activity, level
    with pytest.raises(NotAllowed):
        services.candidacy_create(actor=r.newbie, round=r.round, motivation="我想帮忙审核新人申请。")
    with pytest.raises(NotAllowed):
        services.candidacy_create(actor=UserFactory(), round=r.round, motivation="我不是组员但想当副组长。")
    with pytest.raises(InvalidInput):
        services.candidacy_create(actor=r.ready, round=r.round, motivation="短")
    services.candidacy_create(actor=r.ready, round=r.round, motivation="每周能投入五小时，熟悉组规。")
    with pytest.raises(Conflict):
        services.candidacy_create(actor=r.ready, round=r.round, motivation="每周能投入五小时，熟悉组规。")


def test_appointed_deputy_waits_for_the_handbook(r):
    candidacy = services.candidacy_create(actor=r.ready, round=r.round, motivation="每周能投入五小时，熟悉组规。")
    with pytest.raises(NotAllowed):
        services.candidacy_review(actor=r.ready, candidacy=candidacy, appoint=True)
    services.candidacy_review(actor=r.staff, candidacy=candidacy, appoint=True, note="欢迎加入")
    membership = Membership.objects.get(member=r.ready, group=r.group)
    assert membership.role == "deputy" and not membership.has_powers
    assert not permissions.can_manage(r.ready, r.group)
    c = Client()
    c.force_login(r.ready)
    assert c.get(f"/groups/{r.group.slug}/applications/").status_code == 403
    page = c.get(f"/groups/{r.group.slug}/recruit/").content.decode()
    assert "/pages/handbook/" in page
    assert c.post(f"/groups/{r.group.slug}/handbook/", {"confirm": "yes"}).status_code == 302
    assert c.get(f"/groups/{r.group.slug}/applications/").status_code == 200


def test_rejection_needs_a_note_the_member_sees(r):
    candidacy = services.candidacy_create(actor=r.ready, round=r.round, motivation="每周能投入五小时，熟悉组规。")
    with pytest.raises(InvalidInput):
        services.candidacy_review(actor=r.staff, candidacy=candidacy, appoint=False, note="")
    services.candidacy_review(actor=r.staff, candidacy=candidacy, appoint=False, note="本期名额已满")
    assert DeputyCandidacy.objects.get(pk=candidacy.pk).status == "rejected"
    assert "本期名额已满" in Notification.objects.filter(recipient=r.ready).first().message


def test_the_recruit_page_for_members_and_staff(r):
    c = Client()
    c.force_login(r.newbie)
    page = c.get(f"/groups/{r.group.slug}/recruit/")
    assert page.status_code == 200 and "第一期副组长招募" in page.content.decode()
    response = c.post(f"/groups/{r.group.slug}/recruit/", {"action": "apply", "round": r.round.pk,
                                                           "motivation": "我想帮忙审核新人申请。"})
    # refused with the requirements they miss (the page offers them no form until they meet them)
    assert response.status_code == 403 and "30" in response.content.decode()
    assert not DeputyCandidacy.objects.filter(member=r.newbie).exists()
    c.force_login(r.staff)
    assert c.post(f"/groups/{r.group.slug}/recruit/", {"action": "close", "round": r.round.pk}).status_code == 302
    with pytest.raises(Conflict):
        services.candidacy_create(actor=r.ready, round=type(r.round).objects.get(pk=r.round.pk),
                                  motivation="每周能投入五小时，熟悉组规。")

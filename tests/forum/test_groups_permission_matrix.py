"""The groups' permission matrix: every group verb for the group's owner, a deputy owner, a member, an
applicant, an outsider, a deputy of another group and staff. Exactly the allowed ones succeed; the others
are refused (NotAllowed) and write nothing, not even an audit entry. A deputy can do nothing outside the
group: the same verbs on another group, and site moderation outside the group's category, are refused."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from audit.models import AuditLog
from forum.errors import NotAllowed
from forum.groups import services as group_services
from forum.models import User
from forum.moderation import registry
from tests.factories import CategoryFactory, TopicFactory, UserFactory, add_member, make_group

pytestmark = pytest.mark.django_db

PERSONAS = ("owner", "deputy", "member", "applicant", "outsider", "other_deputy", "staff")
MANAGERS = {"owner", "deputy", "staff"}
OWNERS = {"owner", "staff"}


class Rollback(Exception):
    pass


@pytest.fixture
def w():
    w = type("W", (), {})()
    staff = UserFactory(is_staff=True)
    w.people = {"staff": staff, "owner": UserFactory()}
    w.group = make_group(name="被测小组", slug="tested", visibility="members", owner=w.people["owner"], staff=staff,
                         questions=())
    w.other = make_group(name="隔壁小组", slug="other", visibility="members", staff=staff, questions=())
    w.people["deputy"] = add_member(w.group, UserFactory(), role="deputy")
    w.people["member"] = add_member(w.group, UserFactory())
    w.people["applicant"] = UserFactory()
    w.people["outsider"] = UserFactory()
    w.people["other_deputy"] = add_member(w.other, UserFactory(), role="deputy")
    w.target = add_member(w.group, UserFactory(username="target"))
    w.deputy2 = add_member(w.group, UserFactory(username="deputy2"), role="deputy")
    w.application = group_services.application_create(actor=w.people["applicant"], group=w.group, answers=[])
    w.other_application = group_services.application_create(actor=UserFactory(), group=w.other, answers=[])
    w.topic = TopicFactory.create(author=w.target, category=w.group.category, title="组内话题")
    w.outside_topic = TopicFactory.create(author=w.target, category=CategoryFactory(), title="组外话题")
    w.other_topic = TopicFactory.create(author=w.people["other_deputy"], category=w.other.category, title="隔壁话题")
    return w


def _later():
    return timezone.now() + datetime.timedelta(days=2)


VERBS = {
    "approve": (MANAGERS, lambda a, w: group_services.application_decide(actor=a, application=w.application,
                                                                           approve=True, reason="ok")),
    "reject": (MANAGERS, lambda a, w: group_services.application_decide(actor=a, application=w.application,
                                                                          approve=False, reason="不合适")),
    "invite": (OWNERS, lambda a, w: group_services.group_invite(actor=a, group=w.group, member=UserFactory())),
    "remove": (MANAGERS, lambda a, w: group_services.member_remove(actor=a, group=w.group, member=w.target,
                                                                     reason="违规")),
    "mute": (MANAGERS, lambda a, w: group_services.member_mute(actor=a, group=w.group, member=w.target,
                                                                 until=_later(), reason="刷屏")),
    "kick_advertiser": (MANAGERS, lambda a, w: group_services.kick_advertiser(actor=a, group=w.group,
                                                                                member=w.target, reason="广告")),
    "deputy_appoint": (OWNERS, lambda a, w: group_services.deputy_appoint(actor=a, group=w.group, member=w.target)),
    "deputy_suspend": (OWNERS, lambda a, w: group_services.deputy_set_status(actor=a, group=w.group,
                                                                              member=w.deputy2, status="suspend",
                                                                              reason="不活跃")),
    "edit": (OWNERS, lambda a, w: group_services.group_edit(actor=a, group=w.group, purpose="新的宗旨")),
    "topic_lock": (MANAGERS, lambda a, w: registry.run("topic", "lock", actor=a, obj=w.topic)),
    "topic_pin": (MANAGERS, lambda a, w: registry.run("topic", "pin", actor=a, obj=w.topic)),
    "topic_hide": (MANAGERS, lambda a, w: registry.run("topic", "hide", actor=a, obj=w.topic)),
    "post_hide": (MANAGERS, lambda a, w: registry.run("post", "hide", actor=a, obj=w.topic.posts.get(number=1))),
    # outside the group: only staff
    "outside_topic_lock": ({"staff"}, lambda a, w: registry.run("topic", "lock", actor=a, obj=w.outside_topic)),
    "outside_post_hide": ({"staff"}, lambda a, w: registry.run("post", "hide", actor=a,
                                                               obj=w.outside_topic.posts.get(number=1))),
    "other_group_approve": ({"staff", "other_deputy"}, lambda a, w: group_services.application_decide(
        actor=a, application=w.other_application, approve=True, reason="ok")),
    "other_group_lock": ({"staff", "other_deputy"}, lambda a, w: registry.run("topic", "lock", actor=a,
                                                                              obj=w.other_topic)),
    "move_out_of_group": ({"staff"}, lambda a, w: registry.run("topic", "move", actor=a, obj=w.topic,
                                                               data={"category": w.outside_topic.category_id})),
}


@pytest.mark.parametrize("verb", sorted(VERBS))
def test_group_verb_matrix(w, verb):
    allowed, run = VERBS[verb]
    results = {}
    for persona in PERSONAS:
        actor = User.objects.get(pk=w.people[persona].pk)  # fresh: no cached memberships across personas
        entries = AuditLog.objects.count()
        try:
            with transaction.atomic():
                run(actor, w)
                results[persona] = "ok"
                raise Rollback
        except Rollback:
            pass
        except NotAllowed:
            results[persona] = "refused"
            assert AuditLog.objects.count() == entries, f"{persona} was refused {verb} but left an audit entry"
    expected = {p: "ok" if p in allowed else "refused" for p in PERSONAS}
    assert results == expected

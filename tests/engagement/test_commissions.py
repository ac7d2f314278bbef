"""Commissions (约稿): an editor invites, the writer accepts or declines, hands in a topic, the editor
returns it or accepts it. Acceptance pays the reward once through the ledger, features the topic,
shows the payment on the topic and the public wall; every step is checked, audited and notified."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from audit.models import AuditLog
from engagement.commissions import services, tasks
from engagement.commissions.models import Commission
from engagement.points.models import PointsAccount, PointsEntry
from engagement.points.selectors import accounts_out_of_balance
from forum.errors import Conflict, InvalidInput, NotAllowed
from forum.models import Notification
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def rules(settings):
    settings.HUOLI_COMMISSIONS = {"MIN_REWARD": 10, "MAX_REWARD": 1000, "MAX_DAYS": 60, "MAX_OPEN_PER_WRITER": 2}
    settings.HUOLI = {**settings.HUOLI, "RATE_LIMITS": {}}


@pytest.fixture
def editor(db):
    user = UserFactory(username="editor_li")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def writer(db):
    return UserFactory(username="writer_wang")


def _due(days=7):
    return timezone.now() + timedelta(days=days)


def _invite(editor, writer, theme="社区运营的十个误区", reward=300):
    return services.commission_invite(actor=editor, writer=writer, theme=theme, reward=reward, due_at=_due(),
                                      brief="两千字左右，面向新版主")


def _balance(member):
    account = PointsAccount.objects.filter(member_id=member.pk).first()
    return account.balance if account else 0


def _submitted(editor, writer):
    commission = _invite(editor, writer)
    services.commission_respond(actor=writer, commission_id=commission.pk, accept=True)
    topic = TopicFactory.create(author=writer, title="社区运营的十个误区：写给新版主")
    return services.commission_submit(actor=writer, commission_id=commission.pk, topic_id=topic.pk), topic


def test_the_whole_life_cycle_pays_once_features_and_announces(client, editor, writer):
    commission, topic = _submitted(editor, writer)
    before = _balance(writer)
    services.commission_review(actor=editor, commission_id=commission.pk, approve=True, note="写得好")
    commission.refresh_from_db()
    topic.refresh_from_db()
    assert commission.status == Commission.Status.PAID and commission.payout_entry.amount == 300
    assert commission.payout_entry.reason == "commission_reward"
    assert topic.is_featured and "commission" in topic.sections
    featured_points = PointsEntry.objects.filter(member=writer, reason="featured").count()
    assert _balance(writer) >= before + 300
    # paying again is refused and writes nothing
    with pytest.raises(Conflict):
        services.commission_review(actor=editor, commission_id=commission.pk, approve=True)
    assert PointsEntry.objects.filter(member=writer, reason="commission_reward").count() == 1
    assert PointsEntry.objects.filter(member=writer, reason="featured").count() == featured_points
    assert accounts_out_of_balance() == []
    actions = list(AuditLog.objects.filter(target_type="commissions.commission").order_by("pk").values_list("action", flat=True))
    assert actions == ["commission.invite", "commission.accept", "commission.submit", "commission.pay"]
    assert not AuditLog.objects.filter(action__startswith="forum.topic_feature").exists()
    assert Notification.objects.filter(recipient=writer, message__contains="300").count() >= 2
    # the payment is shown where the community reads: the topic and the public wall
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "data-commission" in page and "300" in page
    wall = client.get("/commissions/").content.decode()
    assert topic.title in wall and "writer_wang" in wall.lower() or "Writer_Wang" in wall


def test_invite_checks_role_and_input(editor, writer):
    with pytest.raises(NotAllowed):
        services.commission_invite(actor=writer, writer=editor, theme="x", reward=100, due_at=_due())
    for bad in ({"reward": 5}, {"reward": 1001}, {"reward": True}, {"due_at": timezone.now() - timedelta(hours=1)},
                {"due_at": _due(61)}, {"theme": "   "}, {"writer": "nobody_here"}, {"writer": editor}):
        args = {"writer": writer, "theme": "主题", "reward": 100, "due_at": _due(), **bad}
        with pytest.raises(InvalidInput):
            services.commission_invite(actor=editor, **args)
    assert not Commission.objects.exists()
    by_name = services.commission_invite(actor=editor, writer="@writer_wang", theme="主题", reward=100,
                                         due_at=_due().date())
    assert by_name.writer == writer
    with pytest.raises(Conflict):  # the same theme again (a double submit)
        services.commission_invite(actor=editor, writer=writer, theme="主题", reward=100, due_at=_due())
    _invite(editor, writer, theme="第二个")
    with pytest.raises(Conflict):  # at most two open per writer here
        _invite(editor, writer, theme="第三个")


def test_only_the_writer_responds_and_submits_their_own_topic(editor, writer):
    commission = _invite(editor, writer)
    other = UserFactory()
    with pytest.raises(NotAllowed):
        services.commission_respond(actor=other, commission_id=commission.pk, accept=True)
    with pytest.raises(Conflict):  # not accepted yet
        services.commission_submit(actor=writer, commission_id=commission.pk,
                                   topic_id=TopicFactory.create(author=writer).pk)
    services.commission_respond(actor=writer, commission_id=commission.pk, accept=True)
    with pytest.raises(InvalidInput):
        services.commission_submit(actor=writer, commission_id=commission.pk,
                                   topic_id=TopicFactory.create(author=other).pk)
    with pytest.raises(Conflict):
        services.commission_respond(actor=writer, commission_id=commission.pk, accept=False)


def test_decline_and_return_then_resubmit(editor, writer):
    declined = _invite(editor, writer, theme="不想写的")
    services.commission_respond(actor=writer, commission_id=declined.pk, accept=False, note="最近太忙")
    declined.refresh_from_db()
    assert declined.status == Commission.Status.DECLINED and declined.writer_note == "最近太忙"
    commission, topic = _submitted(editor, writer)
    with pytest.raises(InvalidInput):  # returning needs a note the writer can act on
        services.commission_review(actor=editor, commission_id=commission.pk, approve=False, note="")
    services.commission_review(actor=editor, commission_id=commission.pk, approve=False, note="请补充案例")
    commission.refresh_from_db()
    assert commission.status == Commission.Status.RETURNED
    assert Notification.objects.filter(recipient=writer, message__contains="请补充案例").exists()
    services.commission_submit(actor=writer, commission_id=commission.pk, topic_id=topic.pk)
    services.commission_review(actor=editor, commission_id=commission.pk, approve=True)
    assert PointsEntry.objects.filter(member=writer, reason="commission_reward").count() == 1


def test_cancel_and_expiry(editor, writer):
    commission = _invite(editor, writer)
    with pytest.raises(NotAllowed):
        services.commission_cancel(actor=writer, commission_id=commission.pk, reason="x")
    services.commission_cancel(actor=editor, commission_id=commission.pk, reason="选题取消")
    commission.refresh_from_db()
    assert commission.status == Commission.Status.CANCELLED
    late = _invite(editor, writer, theme="会过期的")
    Commission.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    assert tasks.commissions_expire_overdue_task() == [Commission.Status.EXPIRED]
    assert tasks.commissions_expire_overdue_task() == []  # twice: nothing more
    assert services.commission_expire(commission_id=late.pk) == Commission.Status.EXPIRED
    assert AuditLog.objects.filter(action="commission.expire").count() == 1


def test_pages_by_role(client, editor, writer):
    commission = _invite(editor, writer)
    url = f"/commissions/{commission.pk}/"
    assert client.get(url).status_code == 404  # an open commission is not public
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    assert client.get("/commissions/new/").status_code == 403
    client.force_login(writer)
    page = client.get(url).content.decode()
    assert "社区运营的十个误区" in page and 'name="accept"' in page
    assert client.post(f"/commissions/{commission.pk}/respond/", {"accept": "1"}).status_code == 302
    commission.refresh_from_db()
    assert commission.status == Commission.Status.ACCEPTED
    response = client.post(f"/commissions/{commission.pk}/submit/", {"topic": "999999"})
    assert response.status_code == 400  # not one of the writer's topics; nothing changed
    topic = TopicFactory.create(author=writer, title="交稿：新人指南")
    assert client.post(f"/commissions/{commission.pk}/submit/", {"topic": topic.pk}).status_code == 302
    assert "社区运营的十个误区" in client.get("/commissions/mine/").content.decode()
    client.force_login(editor)
    assert client.get("/commissions/desk/").status_code == 200
    assert client.post(f"/commissions/{commission.pk}/review/", {"return": "1", "note": ""}).status_code == 400
    assert client.post(f"/commissions/{commission.pk}/review/", {"approve": "1"}).status_code == 302
    commission.refresh_from_db()
    assert commission.status == Commission.Status.PAID
    client.logout()
    assert client.get(url).status_code == 200  # paid: public


def test_invite_form(client, editor, writer):
    client.force_login(editor)
    assert client.get("/commissions/new/?writer=writer_wang").status_code == 200
    response = client.post("/commissions/new/", {"writer": "nobody", "theme": "t", "reward": "100",
                                                 "due_at": _due().date().isoformat()})
    assert response.status_code == 400 and "writer" in response.content.decode()
    response = client.post("/commissions/new/", {"writer": "writer_wang", "theme": "新人指南", "reward": "100",
                                                 "due_at": _due().date().isoformat()})
    assert response.status_code == 302
    assert Commission.objects.get().theme == "新人指南"


def test_api(client, editor, writer):
    client.force_login(editor)
    response = client.post("/api/v1/commissions", {"writer": "writer_wang", "theme": "API 约稿", "reward": 50,
                                                   "due_at": _due().date().isoformat()},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["status"] == "invited"
    client.force_login(writer)
    assert client.get("/api/v1/commissions/mine").json()[0]["id"] == pk
    response = client.post(f"/api/v1/commissions/{pk}/respond", {"accept": True}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    assert client.get("/api/v1/commissions/desk").status_code == 403
    topic = TopicFactory.create(author=writer)
    response = client.post(f"/api/v1/commissions/{pk}/submit", {"topic_id": topic.pk}, content_type="application/json")
    assert response.json()["status"] == "submitted"
    client.force_login(editor)
    response = client.post(f"/api/v1/commissions/{pk}/review", {"approve": True}, content_type="application/json")
    assert response.json()["status"] == "paid"
    client.logout()
    assert client.get("/api/v1/commissions").json()[0]["id"] == pk

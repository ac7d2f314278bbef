"""Lotteries: the huoli-draw-v1 known answers (in-app draw.py and tools/verify_draw.py check each
other), seed commitment, entries and eligibility, every refused input (clear message, nothing
written, no points lost), idempotent draws, refunds on cancel, audit.json and verify_lottery."""

import datetime
import hashlib
import io
import json
import random

import pytest
from django.core.management import call_command
from django.urls import reverse

from audit.models import AuditLog
from engagement.lotteries import draw, services, tasks
from engagement.lotteries.models import Lottery, LotteryEntry
from engagement.points.errors import InsufficientPoints
from engagement.points.models import PointsEntry
from forum import services as forum
from forum.errors import Conflict, InvalidInput, NotAllowed
from forum.models import Category, Group, Notification, User
from tests.engagement.activities import (
    balance,
    english,  # noqa: F401  (autouse)
    give_points,
    load_verifier,
    set_level,
)
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

KAT_SEED = bytes(range(32))
KAT_TICKETS = [f"{i}:member{i}" for i in range(1, 11)]
KAT_DIGEST = "e1125c39ff53a8e9ee8c1411b2b9e30193842fd5fdbea06b7a95bed6b2be29d0"
AUDIT_KEYS = {"algorithm", "lottery_id", "winners_count", "seed_commitment", "salt_source", "public_salt",
              "server_seed", "entries", "entries_digest", "winners", "drawn_at"}


# --- the algorithm -------------------------------------------------------------------------------
@pytest.mark.parametrize("impl", ["app", "tool"])
def test_known_answer_vectors(impl):
    if impl == "app":
        digest = draw.digest_of(KAT_TICKETS)
        three = draw.winners_of(KAT_TICKETS, server_seed=KAT_SEED, public_salt="2026-11-21", winners_count=3)
        ten = draw.winners_of(KAT_TICKETS, server_seed=KAT_SEED, public_salt="", winners_count=10)
    else:
        tool = load_verifier()
        digest = tool.entries_digest(KAT_TICKETS)
        three = tool.draw(KAT_SEED, KAT_TICKETS, "2026-11-21", 3)
        ten = tool.draw(KAT_SEED, KAT_TICKETS, "", 10)
    assert digest == KAT_DIGEST
    assert three == ["4:member4", "7:member7", "5:member5"]
    assert [t.split(":")[0] for t in ten] == ["6", "2", "8", "7", "10", "1", "5", "9", "4", "3"]


def test_app_and_tool_agree_on_random_draws():
    tool = load_verifier()
    rng = random.Random(20261121)
    for _ in range(200):
        n = rng.randint(0, 60)
        tickets = [f"{i}:用户{rng.randint(0, 10**6)}" for i in range(1, n + 1)]
        seed = rng.randbytes(32)
        salt = rng.choice(["", "drand 123", "上证指数 3012.34"])
        w = rng.randint(1, 70)
        assert draw.winners_of(tickets, server_seed=seed, public_salt=salt, winners_count=w) == \
            tool.draw(seed, tickets, salt, w)


def test_more_winners_than_entries_draws_everyone_once():
    winners = draw.winners_of(KAT_TICKETS[:4], server_seed=KAT_SEED, public_salt="", winners_count=9)
    assert sorted(winners) == sorted(KAT_TICKETS[:4])


# --- fixtures ------------------------------------------------------------------------------------
@pytest.fixture
def host(db):
    return User.objects.create_user(username="host", password="x", is_staff=True)


def make_lottery(host, clock=None, **overrides):
    now = clock.current if clock else datetime.datetime.now(datetime.UTC)
    fields = dict(title="周年抽奖", prize="机械键盘一把", winners_count=3, opens_at=now - datetime.timedelta(hours=1),
                  closes_at=now + datetime.timedelta(hours=1))
    fields.update(overrides)
    return services.lottery_create(actor=host, **fields)


def close_window(clock, lottery):
    clock.set(lottery.closes_at + datetime.timedelta(seconds=1))


# --- creation -------------------------------------------------------------------------------------
def test_created_with_a_seed_commitment_and_audit_keeps_the_seed_secret(host, client):
    lottery = make_lottery(host, salt_source="drand quicknet round 1234567")
    assert hashlib.sha256(bytes.fromhex(lottery.server_seed)).hexdigest() == lottery.seed_commitment
    audit = client.get(reverse("lotteries:audit", args=[lottery.pk])).json()
    assert set(audit) == AUDIT_KEYS
    assert audit["server_seed"] is None and audit["public_salt"] is None and audit["winners"] == []
    assert audit["seed_commitment"] == lottery.seed_commitment
    assert audit["salt_source"] == "drand quicknet round 1234567"
    assert lottery.server_seed not in client.get(lottery.get_absolute_url()).content.decode()
    assert AuditLog.objects.filter(action="lottery.create", target_id=str(lottery.pk)).count() == 1


def test_members_may_not_create(member):
    with pytest.raises(NotAllowed):
        make_lottery(member)
    assert not Lottery.objects.exists()


@pytest.mark.parametrize("overrides, field", [
    ({"winners_count": 0}, "winners_count"),
    ({"title": "  "}, "title"),
    ({"prize": ""}, "prize"),
    ({"closes_at": datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)}, "closes_at"),
    ({"require_reply": True}, "topic"),
    ({"min_level": 99}, "min_level"),
])
def test_bad_creation_input(host, overrides, field):
    with pytest.raises(InvalidInput) as exc:
        make_lottery(host, **overrides)
    assert exc.value.field == field and str(exc.value)
    assert not Lottery.objects.exists() and not AuditLog.objects.filter(action="lottery.create").exists()


# --- entering -------------------------------------------------------------------------------------
def test_entries_are_numbered_in_order_with_frozen_tickets(host, member, other_member):
    lottery = make_lottery(host)
    first = services.lottery_enter(actor=member, lottery=lottery)
    second = services.lottery_enter(actor=other_member, lottery=lottery)
    assert (first.number, second.number) == (1, 2)
    original = member.username
    assert first.ticket == f"1:{original}"
    member.username = "renamed"
    member.save()
    first.refresh_from_db()
    assert first.ticket == f"1:{original}"  # frozen at entry time
    lottery.refresh_from_db()
    assert lottery.entry_count == 2


def test_entering_twice_is_refused_and_charges_once(host, member, staff):
    give_points(member, 30, staff)
    lottery = make_lottery(host, points_cost=10)
    services.lottery_enter(actor=member, lottery=lottery)
    with pytest.raises(Conflict, match="already entered"):
        services.lottery_enter(actor=member, lottery=lottery)
    assert LotteryEntry.objects.filter(lottery=lottery).count() == 1
    assert balance(member) == 20


def test_entering_before_open_and_after_close(host, member, staff, clock):
    clock.set("2026-11-21 12:00")
    give_points(member, 30, staff)
    lottery = make_lottery(host, clock, points_cost=10, opens_at=clock.current + datetime.timedelta(hours=1),
                           closes_at=clock.current + datetime.timedelta(hours=2))
    with pytest.raises(Conflict, match="open at"):
        services.lottery_enter(actor=member, lottery=lottery)
    clock.set(lottery.closes_at)  # the closing instant itself is too late
    with pytest.raises(Conflict, match="closed at"):
        services.lottery_enter(actor=member, lottery=lottery)
    assert not LotteryEntry.objects.exists() and balance(member) == 30
    clock.set(lottery.closes_at - datetime.timedelta(seconds=1))
    assert services.lottery_enter(actor=member, lottery=lottery).number == 1


def test_eligibility_level(host, member):
    lottery = make_lottery(host, min_level=3)
    set_level(member, 2)
    with pytest.raises(NotAllowed, match="Lv3"):
        services.lottery_enter(actor=member, lottery=lottery)
    assert not LotteryEntry.objects.exists()
    set_level(member, 3)
    member = User.objects.get(pk=member.pk)
    assert services.lottery_enter(actor=member, lottery=lottery).number == 1


def test_eligibility_must_have_replied(host, member, other_member, category, django_capture_on_commit_callbacks):
    topic = TopicFactory.create(author=other_member, category=category)
    lottery = make_lottery(host, topic=topic, require_reply=True)
    with pytest.raises(NotAllowed, match="Reply in"):
        services.lottery_enter(actor=member, lottery=lottery)
    # the topic's opening post does not count as a reply
    with pytest.raises(NotAllowed):
        services.lottery_enter(actor=other_member, lottery=lottery)
    forum.post_create(actor=member, topic=topic, body="我也来参加")
    assert services.lottery_enter(actor=member, lottery=lottery).number == 1


def test_too_few_points_writes_nothing(host, member, staff):
    give_points(member, 5, staff)
    lottery = make_lottery(host, points_cost=10)
    with pytest.raises(InsufficientPoints, match="you have 5"):
        services.lottery_enter(actor=member, lottery=lottery)
    assert not LotteryEntry.objects.exists() and balance(member) == 5
    lottery.refresh_from_db()
    assert lottery.entry_count == 0


def test_private_topic_lottery_is_hidden(host, member, client):
    group = Group.objects.create(name="VIP")
    private = Category.objects.create(name="VIP", slug="vip", read_group=group)
    topic = TopicFactory.create(author=host, category=private)
    lottery = make_lottery(host, topic=topic)
    with pytest.raises(NotAllowed):
        services.lottery_enter(actor=member, lottery=lottery)
    client.force_login(member)
    assert client.get(reverse("lotteries:audit", args=[lottery.pk])).status_code == 403


# --- drawing --------------------------------------------------------------------------------------
def enter_many(lottery, n):
    members = [UserFactory() for _ in range(n)]
    return [services.lottery_enter(actor=m, lottery=lottery) for m in members]


def test_draw_before_close_and_by_members_is_refused(host, member, clock):
    clock.set("2026-11-21 12:00")
    lottery = make_lottery(host, clock)
    enter_many(lottery, 3)
    with pytest.raises(Conflict, match="draw after they close"):
        services.lottery_draw(actor=host, lottery=lottery)
    close_window(clock, lottery)
    with pytest.raises(NotAllowed):
        services.lottery_draw(actor=member, lottery=lottery)
    lottery.refresh_from_db()
    assert lottery.state == "open" and lottery.winners == [] and not AuditLog.objects.filter(action="lottery.draw").exists()


def test_promised_salt_is_required_and_no_salt_may_be_invented(host, clock):
    clock.set("2026-11-21 12:00")
    promised = make_lottery(host, clock, salt_source="上证指数 2026-11-21 收盘")
    unpromised = make_lottery(host, clock)
    close_window(clock, promised)
    with pytest.raises(InvalidInput, match="promised"):
        services.lottery_draw(actor=host, lottery=promised, public_salt="  ")
    with pytest.raises(InvalidInput, match="No public salt"):
        services.lottery_draw(actor=host, lottery=unpromised, public_salt="chosen later")
    assert not Lottery.objects.filter(state="drawn").exists()


def test_manual_draw_is_verifiable_idempotent_and_notifies(host, clock, client, django_capture_on_commit_callbacks):
    clock.set("2026-11-21 12:00")
    lottery = make_lottery(host, clock, salt_source="drand quicknet round 1234567")
    entries = enter_many(lottery, 12)
    close_window(clock, lottery)
    with django_capture_on_commit_callbacks(execute=True):
        drawn, now = services.lottery_draw(actor=host, lottery=lottery, public_salt="abc123")
    assert now and drawn.state == "drawn" and len(drawn.winners) == 3
    again, now_again = services.lottery_draw(actor=host, lottery=lottery, public_salt="something else")
    assert not now_again and again.winners == drawn.winners and again.public_salt == "abc123"
    assert AuditLog.objects.filter(action="lottery.draw").count() == 1
    audit = client.get(reverse("lotteries:audit", args=[lottery.pk])).json()
    assert set(audit) == AUDIT_KEYS and audit["entries"] == [e.ticket for e in entries]
    assert audit["server_seed"] == lottery.server_seed and audit["public_salt"] == "abc123"
    assert load_verifier().verify(audit) == [] and draw.verify_audit(audit) == []
    winners = [e.member for e in LotteryEntry.objects.filter(lottery=lottery, win_rank__isnull=False).order_by("win_rank")]
    assert [f"{i}:{m.username}" for i, m in zip([int(t.split(':')[0]) for t in drawn.winners], winners, strict=True)] \
        == drawn.winners
    notified = set(Notification.objects.filter(url=lottery.get_absolute_url()).values_list("recipient", flat=True))
    assert notified == {m.pk for m in winners}
    client.force_login(winners[0])
    page = client.get(lottery.get_absolute_url()).content.decode()
    assert "You won!" in page and "How to verify" in page
    loser = next(e.member for e in entries if e.member not in winners)
    client.force_login(loser)
    assert "You did not win this time." in client.get(lottery.get_absolute_url()).content.decode()


def test_known_answer_through_the_app(clock):
    """Ten members entered in order with the vector's seed give the vector's winners."""
    clock.set("2026-11-21 12:00")
    host = User.objects.create_user(username="host", password="x", is_staff=True)
    lottery = make_lottery(host, clock, salt_source="the date")
    Lottery.objects.filter(pk=lottery.pk).update(server_seed=KAT_SEED.hex(), seed_commitment=draw.commitment(KAT_SEED))
    for i in range(1, 11):
        services.lottery_enter(actor=User.objects.create_user(username=f"member{i}", password="x"), lottery=lottery)
    close_window(clock, lottery)
    drawn, _ = services.lottery_draw(actor=host, lottery=lottery, public_salt="2026-11-21")
    assert drawn.entries_digest == KAT_DIGEST
    assert drawn.winners == ["4:member4", "7:member7", "5:member5"]


def test_task_closes_and_draws_once_when_no_salt_was_promised(host, clock):
    clock.set("2026-11-21 12:00")
    lottery = make_lottery(host, clock)
    enter_many(lottery, 5)
    assert tasks.lottery_close_due_task.delay(lottery.pk).get() == "open"  # not due yet: nothing happens
    close_window(clock, lottery)
    assert tasks.lottery_close_due_task.delay(lottery.pk).get() == "drawn"
    first = Lottery.objects.get(pk=lottery.pk)
    assert tasks.lottery_close_due_task.delay(lottery.pk).get() == "drawn"
    assert tasks.lotteries_close_overdue_task.delay().get() == []
    assert Lottery.objects.get(pk=lottery.pk).winners == first.winners
    assert AuditLog.objects.filter(action="lottery.draw").count() == 1
    assert first.drawn_by is None and first.public_salt == ""


def test_task_waits_for_the_salt_when_one_was_promised(host, clock):
    clock.set("2026-11-21 12:00")
    lottery = make_lottery(host, clock, salt_source="drand round 5")
    enter_many(lottery, 2)
    close_window(clock, lottery)
    assert tasks.lotteries_close_overdue_task.delay().get() == ["closed"]
    assert Notification.objects.filter(recipient=host, message__contains="drand round 5").count() == 1
    drawn, _ = services.lottery_draw(actor=host, lottery=lottery, public_salt="0xfeed")
    assert drawn.state == "drawn" and len(drawn.winners) == 2


def test_draw_with_no_entries(host, clock):
    clock.set("2026-11-21 12:00")
    lottery = make_lottery(host, clock)
    close_window(clock, lottery)
    drawn, _ = services.lottery_draw(actor=host, lottery=lottery)
    assert drawn.state == "drawn" and drawn.winners == [] and drawn.entries_digest == hashlib.sha256(b"").hexdigest()


# --- cancelling -----------------------------------------------------------------------------------
def test_cancel_refunds_once(host, staff, clock, ledger_consistent):
    clock.set("2026-11-21 12:00")
    lottery = make_lottery(host, clock, points_cost=10)
    members = [UserFactory() for _ in range(3)]
    for m in members:
        give_points(m, 25, staff)
        services.lottery_enter(actor=m, lottery=lottery)
    assert [balance(m) for m in members] == [15, 15, 15]
    with pytest.raises(InvalidInput, match="Say why"):
        services.lottery_cancel(actor=host, lottery=lottery, reason=" ")
    services.lottery_cancel(actor=host, lottery=lottery, reason="奖品缺货")
    assert [balance(m) for m in members] == [25, 25, 25]
    with pytest.raises(Conflict, match="already cancelled"):
        services.lottery_cancel(actor=host, lottery=lottery, reason="again")
    assert [balance(m) for m in members] == [25, 25, 25]
    assert PointsEntry.objects.filter(kind="reversal", reason="lottery_entry").count() == 3
    assert AuditLog.objects.filter(action="lottery.cancel", reason="奖品缺货").count() == 1
    with pytest.raises(Conflict, match="cancelled"):
        services.lottery_enter(actor=UserFactory(), lottery=lottery)
    close_window(clock, lottery)
    with pytest.raises(Conflict, match="cancelled"):
        services.lottery_draw(actor=host, lottery=lottery)


def test_cancelling_after_the_draw_is_refused(host, staff, clock):
    clock.set("2026-11-21 12:00")
    lottery = make_lottery(host, clock, points_cost=1)
    m = UserFactory()
    give_points(m, 5, staff)
    services.lottery_enter(actor=m, lottery=lottery)
    close_window(clock, lottery)
    services.lottery_draw(actor=host, lottery=lottery)
    with pytest.raises(Conflict, match="already drawn"):
        services.lottery_cancel(actor=host, lottery=lottery, reason="too late")
    assert balance(m) == 4 and Lottery.objects.get(pk=lottery.pk).state == "drawn"


def test_members_may_not_cancel(host, member):
    lottery = make_lottery(host)
    with pytest.raises(NotAllowed):
        services.lottery_cancel(actor=member, lottery=lottery, reason="mine")


def test_terms_are_locked_once_members_entered(host, member):
    lottery = make_lottery(host)
    services.lottery_enter(actor=member, lottery=lottery)
    with pytest.raises(Conflict, match="only the title"):
        services.lottery_edit(actor=host, lottery=lottery, reason="more winners", winners_count=5)
    edited = services.lottery_edit(actor=host, lottery=lottery, reason="typo", title="周年大抽奖")
    assert edited.title == "周年大抽奖" and edited.winners_count == 3
    assert AuditLog.objects.filter(action="lottery.edit", reason="typo").count() == 1


# --- verify_lottery ---------------------------------------------------------------------------------
def test_verify_lottery_command(host, clock):
    clock.set("2026-11-21 12:00")
    lottery = make_lottery(host, clock)
    enter_many(lottery, 6)
    close_window(clock, lottery)
    services.lottery_draw(actor=host, lottery=lottery)
    out = io.StringIO()
    call_command("verify_lottery", str(lottery.pk), stdout=out)
    assert out.getvalue().startswith(f"OK: lottery {lottery.pk}: 3 winner(s) from 6 entries")
    Lottery.objects.filter(pk=lottery.pk).update(winners=Lottery.objects.get(pk=lottery.pk).winners[::-1])
    out = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("verify_lottery", str(lottery.pk), stdout=out)
    assert exc.value.code == 1 and "DIFFERS: winners differ" in out.getvalue()
    out = io.StringIO()
    call_command("verify_lottery", str(lottery.pk), "--json", stdout=out)
    assert set(json.loads(out.getvalue())) == AUDIT_KEYS


# --- pages ---------------------------------------------------------------------------------------
def test_member_enters_through_the_page(host, member, client):
    lottery = make_lottery(host)
    client.force_login(member)
    response = client.post(reverse("lotteries:enter", args=[lottery.pk]), follow=True)
    assert f"Your ticket is 1:{member.username}" in response.content.decode()
    response = client.post(reverse("lotteries:enter", args=[lottery.pk]), follow=True)
    assert "You have already entered this lottery." in response.content.decode()


def test_moderator_creates_through_the_form(host, client):
    client.force_login(host)
    response = client.post(reverse("lotteries:new"), {
        "title": "新年抽奖", "prize": "红包", "winners_count": "2", "opens_at": "2030-01-01T10:00",
        "closes_at": "2029-12-31T10:00", "salt_source": ""})
    assert response.status_code == 400 and "Entries must close after they open." in response.content.decode()
    response = client.post(reverse("lotteries:new"), {
        "title": "新年抽奖", "prize": "红包", "winners_count": "2", "opens_at": "2030-01-01T10:00",
        "closes_at": "2030-01-02T10:00", "salt_source": "drand quicknet round 99"})
    lottery = Lottery.objects.get()
    assert response.status_code == 302 and response["Location"] == lottery.get_absolute_url()
    assert lottery.salt_source == "drand quicknet round 99"

"""The points ledger: awards from forum hooks, rules and multipliers, caps, spending, reversals,
staff adjustments, idempotency and the append-only guarantee."""

import datetime
from decimal import Decimal

import pytest

from audit.log import audit_record
from audit.models import AppendOnlyError, AuditLog
from engagement.points import services, tasks
from engagement.points.errors import InsufficientPoints
from engagement.points.models import (
    CategoryMultiplier,
    PointsAccount,
    PointsEntry,
    PointsPeriodTotal,
    PointsRule,
    TimedMultiplier,
)
from engagement.points.periods import ALL_TIME_START, week_start
from engagement.points.selectors import account_get, accounts_out_of_balance
from forum import services as forum
from forum.errors import InvalidInput, NotAllowed
from forum.moderation import registry
from tests.engagement.conftest import entries
from tests.factories import CategoryFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def balance(member):
    acct = account_get(member=member)
    return acct.balance, acct.lifetime_earned


@pytest.fixture
def topic(member, category, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return TopicFactory.create(author=member, category=category)


def reply(author, topic, capture, body="同意楼上的看法"):
    with capture(execute=True):
        return forum.post_create(actor=author, topic=topic, body=body)


# --- earning through the forum's hooks --------------------------------------------------------
def test_topic_earns_two_and_reply_one(member, other_member, topic, django_capture_on_commit_callbacks,
                                       ledger_consistent):
    assert balance(member) == (2, 2)
    (entry,) = entries(member)
    assert (entry.kind, entry.reason, entry.source_type) == ("earn", "topic_created", "forum.post")
    assert entry.category_id == topic.category_id and entry.balance_after == 2
    reply(other_member, topic, django_capture_on_commit_callbacks)
    assert balance(other_member) == (1, 1)


def test_rolled_back_post_earns_nothing(member, category, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                TopicFactory.create(author=member, category=category)
                raise RuntimeError("abort")
    assert PointsEntry.objects.count() == 0


def test_upvote_per_distinct_voter_withdrawn_and_given_again(member, other_member, topic,
                                                             django_capture_on_commit_callbacks, ledger_consistent):
    post = topic.posts.get(number=1)
    third = UserFactory()

    def vote(voter, value):
        with django_capture_on_commit_callbacks(execute=True):
            forum.post_vote(actor=voter, post=post, value=value)

    vote(other_member, 1)
    vote(third, 1)
    assert balance(member) == (4, 4)
    vote(other_member, 0)  # withdrawn: a compensating row
    assert balance(member) == (3, 3)
    reversal = entries(member, kind="reversal")[0]
    assert reversal.amount == -1 and reversal.reverses.reason == "upvote_received"
    vote(other_member, 1)  # back again: earned again under a new generation of the key
    assert balance(member) == (4, 4)
    vote(other_member, -1)  # switched to a downvote: taken back
    assert balance(member) == (3, 3)
    assert len(entries(member, reason="upvote_received", kind="earn")) == 3
    assert len(entries(member, kind="reversal")) == 2


def test_hidden_and_restored_post_reverses_and_reawards_once(member, other_member, moderator, topic,
                                                              django_capture_on_commit_callbacks, ledger_consistent):
    post = reply(other_member, topic, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        forum.post_vote(actor=member, post=post, value=1)
    assert balance(other_member) == (2, 2)
    with django_capture_on_commit_callbacks(execute=True):
        registry.run("post", "hide", actor=moderator, obj=post)
    assert balance(other_member) == (0, 0)
    # a retried sync task changes nothing
    tasks.points_sync_post_task.delay(post.pk)
    tasks.points_sync_post_task.delay(post.pk)
    assert balance(other_member) == (0, 0)
    assert len(entries(other_member, kind="reversal")) == 2
    with django_capture_on_commit_callbacks(execute=True):
        registry.run("post", "unhide", actor=moderator, obj=post)
    assert balance(other_member) == (2, 2)
    assert len(entries(other_member)) == 6


def test_post_deleted_by_author_takes_points_back(member, other_member, topic, django_capture_on_commit_callbacks):
    post = reply(other_member, topic, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        forum.post_delete(actor=other_member, post=post)
    assert balance(other_member) == (0, 0)


def test_hidden_topic_takes_topic_points_back(member, moderator, topic, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        registry.run("topic", "hide", actor=moderator, obj=topic)
    assert balance(member) == (0, 0)


# --- rules, multipliers, caps ----------------------------------------------------------------
def test_category_and_timed_multipliers(member, clock):
    now = clock.set("2025-03-08 12:00")
    cat, other = CategoryFactory(), CategoryFactory()
    rule = PointsRule.objects.get(code="reply_created")
    CategoryMultiplier.objects.create(rule=rule, category=cat, multiplier=Decimal("3"))
    TimedMultiplier.objects.create(name="double weekend", category=cat, multiplier=Decimal("2"),
                                   starts_at=now - datetime.timedelta(hours=1),
                                   ends_at=now + datetime.timedelta(hours=1))
    TimedMultiplier.objects.create(name="over", multiplier=Decimal("10"), starts_at=now - datetime.timedelta(days=2),
                                   ends_at=now - datetime.timedelta(days=1))
    e1 = services.points_award(member=member, rule_code="reply_created", source_type="t", source_id="1", category=cat)
    e2 = services.points_award(member=member, rule_code="reply_created", source_type="t", source_id="2",
                               category=other)
    assert (e1.amount, e2.amount) == (6, 1)


def test_rule_edit_takes_effect_without_deploy(member):
    rule = PointsRule.objects.get(code="poll_vote")
    services.points_award(member=member, rule_code="poll_vote", source_type="poll", source_id="1")
    rule.points = 7
    rule.save()
    e = services.points_award(member=member, rule_code="poll_vote", source_type="poll", source_id="2")
    assert e.amount == 7
    rule.is_active = False
    rule.save()
    assert services.points_award(member=member, rule_code="poll_vote", source_type="poll", source_id="3") is None


def test_daily_cap_in_local_days(member, clock):
    PointsRule.objects.filter(code="reply_created").update(daily_cap=3)
    from engagement.points.selectors import rules_invalidate

    rules_invalidate()
    clock.set("2025-03-08 23:00")
    got = [services.points_award(member=member, rule_code="reply_created", source_type="p", source_id=str(i))
           for i in range(5)]
    assert [e.amount if e else None for e in got] == [1, 1, 1, None, None]
    clock.set("2025-03-09 00:30")  # a new day in Asia/Shanghai (still the 8th in UTC)
    assert services.points_award(member=member, rule_code="reply_created", source_type="p", source_id="9").amount == 1


def test_award_is_idempotent(member, ledger_consistent):
    first = services.points_award(member=member, rule_code="featured", source_type="forum.post", source_id="5")
    again = services.points_award(member=member, rule_code="featured", source_type="forum.post", source_id="5")
    assert first.pk == again.pk and first.duplicate is False and again.duplicate is True
    assert balance(member) == (5, 5)


def test_unknown_rule_is_refused_and_writes_nothing(member):
    with pytest.raises(InvalidInput) as exc:
        services.points_award(member=member, rule_code="no_such_rule", source_type="x", source_id="1")
    assert "no_such_rule" in exc.value.message and exc.value.code == "unknown_rule"
    assert PointsEntry.objects.count() == 0 and PointsAccount.objects.count() == 0


@pytest.mark.parametrize("amount", [0, -5, "abc", 1.5, True])
def test_bad_award_amounts(member, amount):
    with pytest.raises(InvalidInput):
        services.points_award(member=member, rule_code="checkin_streak_bonus", amount=amount, source_type="d",
                              source_id="1")
    assert PointsEntry.objects.count() == 0


# --- spending ----------------------------------------------------------------------------------
def test_spend_locks_refuses_when_short_and_is_idempotent(member, ledger_consistent):
    services.points_award(member=member, rule_code="featured", source_type="p", source_id="1")
    with pytest.raises(InsufficientPoints) as exc:
        services.points_spend(member=member, amount=6, reason="lottery", key="draw-1")
    assert "5" in exc.value.message and "6" in exc.value.message
    assert PointsEntry.objects.filter(kind="spend").count() == 0
    spent = services.points_spend(member=member, amount=4, reason="lottery", key="draw-1")
    again = services.points_spend(member=member, amount=4, reason="lottery", key="draw-1")
    assert spent.pk == again.pk
    assert balance(member) == (1, 5)  # spending never lowers lifetime earned


@pytest.mark.parametrize("amount", [0, -1, "", "1e3", 2.5])
def test_spend_bad_amounts(member, amount):
    services.points_award(member=member, rule_code="featured", source_type="p", source_id="1")
    with pytest.raises(InvalidInput):
        services.points_spend(member=member, amount=amount, reason="lottery", key="k")
    assert balance(member) == (5, 5)


def test_spend_needs_a_key_or_source(member):
    with pytest.raises(InvalidInput):
        services.points_spend(member=member, amount=1, reason="lottery")


# --- staff ---------------------------------------------------------------------------------------
def test_staff_grant_and_deduct_with_reason_in_audit_log(staff, member, ledger_consistent):
    grant = services.points_adjust(actor=staff, member=member, amount=30, reason="活动奖励", key="form-1")
    dup = services.points_adjust(actor=staff, member=member, amount=30, reason="活动奖励", key="form-1")
    assert grant.pk == dup.pk
    services.points_adjust(actor=staff, member=member, amount="-10", reason="违规扣分")
    assert balance(member) == (20, 30)
    logs = list(AuditLog.objects.order_by("id").values_list("action", "reason", "subject_id", "actor_id"))
    assert logs == [("points.grant", "活动奖励", member.pk, staff.pk), ("points.deduct", "违规扣分", member.pk, staff.pk)]
    with pytest.raises(InsufficientPoints):
        services.points_adjust(actor=staff, member=member, amount=-21, reason="too much")


def test_adjust_needs_staff_and_a_reason(member, other_member, moderator, staff):
    for actor in (member, moderator):
        with pytest.raises(NotAllowed):
            services.points_adjust(actor=actor, member=other_member, amount=5, reason="why not")
    with pytest.raises(InvalidInput) as exc:
        services.points_adjust(actor=staff, member=other_member, amount=5, reason="   ")
    assert exc.value.field == "reason"
    with pytest.raises(InvalidInput):
        services.points_adjust(actor=staff, member=other_member, amount=0, reason="zero")
    assert PointsEntry.objects.count() == 0 and AuditLog.objects.count() == 0


# --- reversals -----------------------------------------------------------------------------------
def test_reverse_once_and_never_a_reversal(member, staff, ledger_consistent):
    earn = services.points_award(member=member, rule_code="featured", source_type="p", source_id="1")
    r1 = services.points_reverse(entry=earn, note="vote ring", actor=staff)
    r2 = services.points_reverse(entry=earn, note="vote ring", actor=staff)
    assert r1.pk == r2.pk and r1.reverses_id == earn.pk
    assert balance(member) == (0, 0)
    with pytest.raises(InvalidInput):
        services.points_reverse(entry=r1, note="again")
    assert AuditLog.objects.filter(action="points.reverse").count() == 1


def test_reversal_after_spending_leaves_a_debt(member):
    earn = services.points_award(member=member, rule_code="featured", source_type="p", source_id="1")
    services.points_spend(member=member, amount=5, reason="lottery", key="1")
    services.points_reverse(entry=earn, note="spam")
    assert balance(member) == (-5, 0)
    with pytest.raises(InsufficientPoints):
        services.points_spend(member=member, amount=1, reason="lottery", key="2")


def test_reverse_source_for_a_vote_ring(member, staff, ledger_consistent):
    for voter in range(3):
        services.points_award(member=member, rule_code="upvote_received", source_type="forum.post", source_id="9",
                              key_extra=f"v{voter}#0")
    done = services.points_reverse_source(actor=staff, source_type="forum.post", source_id=9, note="vote ring")
    assert len(done) == 3 and balance(member) == (0, 0)


def test_reversal_lowers_the_period_it_was_earned_in(member, clock):
    earned_at = clock.set("2025-03-05 10:00")
    earn = services.points_award(member=member, rule_code="featured", source_type="p", source_id="1")
    clock.set("2025-03-12 10:00")  # next week
    services.points_reverse(entry=earn, note="spam")
    day = earned_at.date()
    week = PointsPeriodTotal.objects.get(period="w", period_start=week_start(day), category_id=0, member=member)
    assert week.points == 0
    assert not PointsPeriodTotal.objects.filter(period="w", period_start=week_start(day + datetime.timedelta(days=7)),
                                                member=member).exists()
    assert PointsPeriodTotal.objects.get(period="a", period_start=ALL_TIME_START, member=member).points == 0


# --- append-only ---------------------------------------------------------------------------------
def test_ledger_and_audit_rows_cannot_change(member, staff):
    entry = services.points_award(member=member, rule_code="featured", source_type="p", source_id="1")
    entry.amount = 500
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        PointsEntry.objects.filter(pk=entry.pk).update(amount=500)
    with pytest.raises(AppendOnlyError):
        PointsEntry.objects.all().delete()
    log = audit_record(actor=staff, action="test.thing", reason="because")
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.filter(pk=log.pk).update(reason="rewritten")
    assert PointsEntry.objects.get(pk=entry.pk).amount == 5
    assert accounts_out_of_balance() == []


def test_verify_task_reports_a_tampered_balance(member):
    services.points_award(member=member, rule_code="featured", source_type="p", source_id="1")
    assert tasks.points_verify_balances_task.delay().get() == 0
    PointsAccount.objects.filter(member=member).update(balance=99)
    assert tasks.points_verify_balances_task.delay().get() == 1


# --- pages -----------------------------------------------------------------------------------------
def test_points_page_shows_balance_history_and_progress(client, member, other_member, topic, staff):
    client.force_login(member)
    html = client.get(f"/u/{member.username}/points/").content.decode()
    assert "发布新话题" in html and "topic_created" not in html and 'href="/p/' in html  # the reason in words
    assert "48" in html  # points still needed to reach 注册会员 (50)
    assert "注册会员" in html
    client.force_login(other_member)
    html = client.get(f"/u/{member.username}/points/").content.decode()
    assert "发布新话题" not in html  # someone else's history is private
    assert client.get("/me/points/").url == f"/u/{other_member.username}/points/"


def test_staff_adjust_form(client, staff, member):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the messages are asserted in the source language
    client.force_login(staff)
    response = client.post(f"/u/{member.username}/points/adjust/", {"amount": "15", "reason": "补偿", "key": "k1"})
    assert response.status_code == 302
    assert balance(member) == (15, 15)
    response = client.post(f"/u/{member.username}/points/adjust/", {"amount": "15", "reason": "", "key": "k2"},
                           follow=True)
    assert "reason is required" in response.content.decode()
    client.force_login(member)
    client.post(f"/u/{member.username}/points/adjust/", {"amount": "1000", "reason": "me", "key": "k3"})
    assert balance(member) == (15, 15)


def test_points_api(client, member, topic):
    assert client.get("/api/v1/points/me").status_code == 401
    client.force_login(member)
    data = client.get("/api/v1/points/me").json()
    assert (data["balance"], data["lifetime_earned"], data["points_to_next_level"]) == (2, 2, 48)
    assert data["member"]["level"]["name"] == "新手上路"
    history = client.get("/api/v1/points/me/history").json()
    assert history["count"] == 1 and history["results"][0]["reason"] == "topic_created"
    assert history["results"][0]["source_url"].startswith("/p/")
    other = UserFactory()
    client.force_login(other)
    assert client.get(f"/api/v1/points/{member.username}/history").status_code == 403
    assert client.get(f"/api/v1/points/{member.username}").json()["balance"] == 2


@pytest.mark.postgres
def test_postgres_refuses_raw_sql_rewrites_of_the_ledger(member):
    from django.db import DatabaseError, connection, transaction

    entry = services.points_award(member=member, rule_code="featured", source_type="p", source_id="1")
    for sql in ("UPDATE points_pointsentry SET amount = 500 WHERE id = %s",
                "DELETE FROM points_pointsentry WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [entry.pk])
    assert PointsEntry.objects.get(pk=entry.pk).amount == 5


def test_rules_snapshot_is_kept_in_process_and_dropped_on_admin_edit(member, monkeypatch):
    from engagement.points import selectors

    monkeypatch.setattr(selectors, "_local_seconds", lambda: 60.0)  # as in production (tests default to 0)
    selectors.rules_invalidate()
    services.points_award(member=member, rule_code="featured", source_type="poll", source_id="1")
    selectors.cache.delete(selectors.RULES_CACHE_KEY)  # even without the shared copy, no rule is read again
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        services.points_award(member=member, rule_code="featured", source_type="poll", source_id="2")
    assert ctx.captured_queries
    assert not [q for q in ctx.captured_queries if "multiplier" in q["sql"] or "pointsrule" in q["sql"]]
    rule = PointsRule.objects.get(code="featured")
    rule.points = 4
    rule.save()  # the admin's save: post_save drops the snapshot at once
    assert services.points_award(member=member, rule_code="featured", source_type="poll", source_id="3").amount == 4
    CategoryMultiplier.objects.create(category=CategoryFactory(), multiplier=Decimal("3"))
    cat = CategoryMultiplier.objects.get().category
    assert services.points_award(member=member, rule_code="featured", source_type="poll", source_id="4",
                                 category=cat).amount == 12


def _on_pg():
    from django.db import connection

    return connection.vendor == "postgresql"


def test_award_is_one_statement_on_postgres(member, django_assert_num_queries):
    """The hot path: rules from memory, then one statement (lock, key, cap, ledger row, balance,
    period totals) on PostgreSQL; the portable ORM path elsewhere."""
    if not _on_pg():
        pytest.skip("PostgreSQL only")
    services.points_award(member=member, rule_code="reply_created", source_type="p", source_id="0")
    category = CategoryFactory.create()
    with django_assert_num_queries(1):
        entry = services.points_award(member=member, rule_code="reply_created", source_type="p", source_id="1",
                                      category=category.pk)
    assert (entry.amount, entry.balance_after, entry.duplicate) == (1, 2, False)
    assert PointsEntry.objects.get(pk=entry.pk).balance_after == 2
    with django_assert_num_queries(1):
        spent = services.points_spend(member=member, amount=2, reason="lottery", key="k")
    assert spent.balance_after == 0 and balance(member) == (0, 2)
    with django_assert_num_queries(1):
        with pytest.raises(InsufficientPoints):
            services.points_spend(member=member, amount=1, reason="lottery", key="k2")
    # a duplicate: one statement, plus reading the entry that was written first
    with django_assert_num_queries(2):
        again = services.points_award(member=member, rule_code="reply_created", source_type="p", source_id="1")
    assert again.pk == entry.pk and again.duplicate is True
    assert accounts_out_of_balance() == []

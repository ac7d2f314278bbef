"""On PostgreSQL with real concurrency: two workers drawing at once draw once and agree; members
entering at once get gap-free numbers; one member entering twice at once is charged once.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/huoli_lottery REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python -m pytest tests/engagement/test_lotteries_pg.py -q
"""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from audit.models import AuditLog
from engagement.lotteries import services, tasks
from engagement.lotteries.models import Lottery, LotteryEntry
from forum.models import Notification, User
from tests.engagement.activities import (
    balance,
    english,  # noqa: F401  (autouse)
    give_points,
)

pytestmark = [pytest.mark.postgres, pytest.mark.serial,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def run_at_once(fn, args_list):
    """Run fn(*args) in one thread per args, released together; returns results or exceptions."""
    barrier = threading.Barrier(len(args_list))
    results = [None] * len(args_list)

    def worker(i, args):
        try:
            barrier.wait()
            results[i] = fn(*args)
        except Exception as exc:  # noqa: BLE001 - handed back to the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, a)) for i, a in enumerate(args_list)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def make(host, **kw):
    now = timezone.now()
    fields = dict(title="并发抽奖", prize="奖品", winners_count=5, opens_at=now - datetime.timedelta(hours=1),
                  closes_at=now + datetime.timedelta(hours=1))
    fields.update(kw)
    return services.lottery_create(actor=host, **fields)


def members(n, prefix="pg"):
    return [User.objects.create_user(username=f"{prefix}{i}", password=None) for i in range(n)]


def end_window(lottery):
    Lottery.objects.filter(pk=lottery.pk).update(opens_at=timezone.now() - datetime.timedelta(hours=2),
                                                 closes_at=timezone.now() - datetime.timedelta(seconds=1))


def test_two_workers_draw_once_and_agree():
    assert connection.vendor == "postgresql"
    host = User.objects.create_user(username="pghost", password=None, is_staff=True)
    lottery = make(host)
    for m in members(40):
        services.lottery_enter(actor=m, lottery=lottery)
    end_window(lottery)
    results = run_at_once(lambda pk: tasks.lottery_close_due_task.apply(args=[pk]).get(disable_sync_subtasks=False), [(lottery.pk,)] * 4)
    assert results == ["drawn"] * 4
    lottery.refresh_from_db()
    assert len(lottery.winners) == 5
    assert AuditLog.objects.filter(action="lottery.draw", target_id=str(lottery.pk)).count() == 1
    assert Notification.objects.filter(url=lottery.get_absolute_url()).count() == 5
    assert LotteryEntry.objects.filter(lottery=lottery, win_rank__isnull=False).count() == 5


def test_task_and_moderator_at_once_draw_once():
    host = User.objects.create_user(username="pghost", password=None, is_staff=True)
    lottery = make(host)
    for m in members(12):
        services.lottery_enter(actor=m, lottery=lottery)
    end_window(lottery)

    def by_hand(pk):
        drawn, _ = services.lottery_draw(actor=host, lottery=Lottery.objects.get(pk=pk))
        return drawn.winners

    def by_task(pk):
        services.lottery_close_due(lottery_id=pk)
        return Lottery.objects.get(pk=pk).winners

    a, b = run_at_once(lambda fn, pk: fn(pk), [(by_hand, lottery.pk), (by_task, lottery.pk)])
    assert a == b and len(a) == 5
    assert AuditLog.objects.filter(action="lottery.draw", target_id=str(lottery.pk)).count() == 1


def test_concurrent_entries_are_numbered_without_gaps():
    host = User.objects.create_user(username="pghost", password=None, is_staff=True)
    lottery = make(host)
    people = members(16)
    results = run_at_once(lambda m: services.lottery_enter(actor=m, lottery=lottery).number, [(m,) for m in people])
    assert sorted(results) == list(range(1, 17))
    lottery.refresh_from_db()
    assert lottery.entry_count == 16
    tickets = list(LotteryEntry.objects.filter(lottery=lottery).order_by("number").values_list("number", "ticket"))
    assert [n for n, _ in tickets] == list(range(1, 17))
    assert all(t == f"{n}:{User.objects.get(lottery_entries__lottery=lottery, lottery_entries__number=n).username}"
               for n, t in tickets)


def test_one_member_entering_twice_at_once_pays_once():
    host = User.objects.create_user(username="pghost", password=None, is_staff=True)
    lottery = make(host, points_cost=10)
    (m,) = members(1)
    give_points(m, 50, host)
    results = run_at_once(lambda: services.lottery_enter(actor=m, lottery=lottery), [()] * 3)
    assert sum(isinstance(r, LotteryEntry) for r in results) == 1
    assert all("already entered" in str(r) for r in results if not isinstance(r, LotteryEntry))
    assert balance(m) == 40 and LotteryEntry.objects.filter(lottery=lottery).count() == 1

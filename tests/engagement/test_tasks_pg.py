"""PostgreSQL: the hook that completes a task fires concurrently (the same action delivered to many
workers at once, and many distinct actions at once). One progress row, one reward, balances equal
their ledger sums.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/huoli_h22a \
     .venv/bin/python -m pytest tests/engagement/test_tasks_pg.py -m postgres"""

import threading

import pytest
from django.db import connection

from engagement.points.models import PointsAccount, PointsEntry
from engagement.points.selectors import accounts_out_of_balance
from engagement.tasks import services
from engagement.tasks.models import Task, TaskProgress
from forum.models import User

THREADS = 8


def _run_at_once(fn, args_list):
    barrier = threading.Barrier(len(args_list))
    errors, results = [], []

    def worker(args):
        try:
            barrier.wait()
            results.append(fn(*args))
        except Exception as exc:  # noqa: BLE001 - any unexpected error fails the test
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(a,)) for a in args_list]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


@pytest.mark.postgres
@pytest.mark.serial
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_hooks_complete_and_pay_once():
    assert connection.vendor == "postgresql"
    member = User.objects.create(username="racer", email="racer@example.com")
    once = Task.objects.create(slug="first-post", name="发第一帖", trigger="post_created", cadence="once",
                               reward_points=10)
    five = Task.objects.create(slug="five-posts", name="今日发帖 5 次", trigger="post_created", count=5,
                               cadence="daily", reward_points=7)

    def record(source):
        return len(services.task_progress_record(member=member, trigger="post_created", source=source))

    # the same post's hook delivered eight times at once
    results, errors = _run_at_once(record, [("post-1",)] * THREADS)
    assert errors == []
    assert TaskProgress.objects.filter(member=member, task=once).count() == 1
    assert sum(results) == 1  # exactly one call completed "first post"; five-posts is at 1 of 5
    # eight distinct posts at once: the five-post task completes once, at exactly 5
    results, errors = _run_at_once(record, [(f"post-{n}",) for n in range(2, 2 + THREADS)])
    assert errors == []
    row = TaskProgress.objects.get(member=member, task=five)
    assert row.count == 5 and row.completed_at is not None and len(row.sources) == 5
    rewards = PointsEntry.objects.filter(member=member, reason="task_reward")
    assert sorted(rewards.values_list("amount", flat=True)) == [7, 10]
    assert PointsAccount.objects.get(member_id=member.pk).balance == 17
    assert accounts_out_of_balance(member_ids=[member.pk]) == []

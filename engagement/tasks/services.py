"""Every write of tasks and missions: counting a member's action towards the tasks it matches,
and paying a completed task's reward through the points ledger, exactly once.

`task_progress_record` runs from the hooks (engagement/tasks/hooks.py) after the forum's or
engagement's own transaction committed. For each active task whose trigger, category and event
match, it makes sure the (member, task, period) row exists (a unique constraint: two concurrent
hooks create one row), locks it, and counts the source once (the row remembers what it counted:
a post, a vote, a day). On the count that completes the task it awards the reward with
points_award under a key per member, task and period, so even a second completion attempt that
raced past the lock could not pay twice: the ledger returns the first entry. Tasks are walked in
id order, each row locked before the points account, so two hooks of one member never deadlock.
"""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.log import audit_record
from engagement.points import services as points
from engagement.points.periods import local_day

from . import permissions
from .models import MAX_COUNT, Task, TaskProgress

REWARD_RULE = "task_reward"
SOURCE_TYPE = "tasks.task"


def period_for(task, at=None):
    """The period a task's progress counts in at `at`: once, the local day, the ISO week or the event."""
    if task.cadence == Task.Cadence.DAILY:
        return local_day(at).isoformat()
    if task.cadence == Task.Cadence.WEEKLY:
        year, week, _weekday = local_day(at).isocalendar()
        return f"{year}-W{week:02d}"
    if task.cadence == Task.Cadence.EVENT:
        return f"event-{task.event_id}"
    return "once"


def period_ends(task, at=None):
    """When the current period of a daily or weekly task ends (None for the others)."""
    from engagement.points.periods import day_bounds, week_start

    day = local_day(at)
    if task.cadence == Task.Cadence.DAILY:
        return day_bounds(day)[1]
    if task.cadence == Task.Cadence.WEEKLY:
        return day_bounds(week_start(day) + datetime.timedelta(days=6))[1]
    if task.cadence == Task.Cadence.EVENT and task.event is not None:
        return task.event.ends_at
    return None


def active_tasks(*, at=None, trigger=None, category_id=None):
    """The tasks that count at `at` (window open, event running), in checklist order."""
    at = at or timezone.now()
    qs = Task.objects.filter(is_active=True).filter(Q(starts_at__isnull=True) | Q(starts_at__lte=at)).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=at)).select_related("event", "category")
    if trigger is not None:
        qs = qs.filter(trigger__in=[trigger] if isinstance(trigger, str) else list(trigger))
        qs = qs.filter(Q(category__isnull=True) | Q(category_id=category_id)) if category_id else qs.filter(
            category__isnull=True)
    return [t for t in qs if t.cadence != Task.Cadence.EVENT or (t.event is not None and t.event.is_running_at(at))]


def _advance(*, member, task, source, at):
    period = period_for(task, at)
    TaskProgress.objects.bulk_create([TaskProgress(member_id=member.pk, task=task, period=period, updated_at=at)],
                                     ignore_conflicts=True)
    row = TaskProgress.objects.select_for_update().get(member_id=member.pk, task=task, period=period)
    if row.completed_at is not None or source in row.sources:
        return None
    row.sources = [*row.sources, source][-MAX_COUNT:]
    row.count = min(len(row.sources), task.count)
    row.updated_at = at
    fields = ["sources", "count", "updated_at"]
    completed = row.count >= task.count
    if completed:
        entry = points.points_award(member=member, rule_code=REWARD_RULE, amount=task.reward_points,
                                    source_type=SOURCE_TYPE, source_id=str(task.pk), key_extra=period,
                                    note=task.name[:100])
        row.completed_at = at
        if entry is not None and not TaskProgress.objects.filter(reward_entry_id=entry.pk).exists():
            row.reward_entry = entry
        fields += ["completed_at", "reward_entry"]
    row.save(update_fields=fields)
    return row if completed else None


@transaction.atomic
def task_progress_record(*, member, trigger, source, category_id=None, at=None):
    """Count one action of `member` (a trigger kind, or several for one action, and a source id
    that names it: a post, a vote, a day) towards every task it matches, in one query for the tasks. Returns the progress rows this call completed (and paid).
    Safe to call twice for the same action: the second call counts and pays nothing."""
    if member is None or not getattr(member, "pk", None) or not member.is_active:
        return []
    at = at or timezone.now()
    source = str(source)[:60]
    done = []
    for task in sorted(active_tasks(at=at, trigger=trigger, category_id=category_id), key=lambda t: t.pk):
        row = _advance(member=member, task=task, source=source, at=at)
        if row is not None:
            done.append(row)
    if done:
        transaction.on_commit(lambda: _notify(member, done), robust=True)
    return done


def _notify(member, rows):
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from forum.models import Notification
    from forum.services import notification_create

    for row in rows:
        notification_create(
            recipient=member, kind=Notification.Kind.SYSTEM, url=reverse("tasks:checklist"),
            message=_("Task done: “%(task)s”, +%(points)d points.") % {
                "task": row.task.name, "points": row.reward_entry.amount if row.reward_entry else 0},
        )


def _state_members(task):
    """Members who already meet a state task (a verified email; an avatar and a bio)."""
    from forum.models import User

    members = User.objects.filter(is_active=True)
    if task.trigger == Task.Trigger.VERIFY_EMAIL:
        return members.filter(emailaddress__verified=True).distinct()
    if task.trigger == Task.Trigger.PROFILE_COMPLETE:
        return members.exclude(avatar="").exclude(bio="")
    return members.none()


def task_credit_state(*, actor, task_id, batch_size=500):
    """Staff: credit the members who met a state task (verify email, complete profile) before it
    existed, so their checklist shows it done and pays its reward, once (the usual key: running it
    again pays nothing). Audited. Returns how many members it completed. Not one transaction: each
    member is credited in its own (task_progress_record), so a large site is not locked at once."""
    permissions.check_manage_tasks(actor)
    task = Task.objects.get(pk=task_id)
    if task.trigger not in Task.STATE_TRIGGERS:
        return 0
    source = {Task.Trigger.VERIFY_EMAIL: "email", Task.Trigger.PROFILE_COMPLETE: "profile"}[task.trigger]
    done = 0
    last = 0
    while True:
        batch = list(_state_members(task).filter(pk__gt=last).order_by("pk")[:batch_size])
        if not batch:
            break
        for member in batch:
            done += len([r for r in task_progress_record(member=member, trigger=task.trigger, source=source)
                         if r.task_id == task.pk])
        last = batch[-1].pk
    audit_record(actor=actor, action="tasks.credit_state", reason=f"credited {done} members", target=task,
                 data={"task": task.pk, "completed": done})
    return done

"""Reads of tasks and missions: a member's checklist (every active task with the progress of its
current period), in two queries whatever the number of tasks."""

from dataclasses import dataclass

from django.utils import timezone

from .models import Task, TaskProgress
from .services import active_tasks, period_ends, period_for


@dataclass
class ChecklistItem:
    task: Task
    period: str
    count: int
    done: bool
    completed_at: object
    reward: int
    ends_at: object

    @property
    def percent(self):
        return 100 if self.done else int(100 * self.count / max(self.task.count, 1))


@dataclass
class Checklist:
    newcomer: list
    daily: list
    weekly: list
    event: list

    @property
    def newcomer_done(self):
        return sum(1 for item in self.newcomer if item.done)

    @property
    def newcomer_percent(self):
        return int(100 * self.newcomer_done / len(self.newcomer)) if self.newcomer else 100

    @property
    def newcomer_complete(self):
        return bool(self.newcomer) and self.newcomer_done == len(self.newcomer)

    @property
    def newcomer_reward(self):
        return sum(item.task.reward_points for item in self.newcomer)

    @property
    def next_newcomer(self):
        return next((item for item in self.newcomer if not item.done), None)

    def all_items(self):
        return [*self.newcomer, *self.daily, *self.weekly, *self.event]


def member_checklist(*, member, at=None):
    at = at or timezone.now()
    tasks = active_tasks(at=at)
    periods = {task.pk: period_for(task, at) for task in tasks}
    rows = {}
    if member is not None and member.is_authenticated and tasks:
        for row in TaskProgress.objects.filter(member_id=member.pk, task_id__in=list(periods),
                                               period__in=set(periods.values())).select_related("reward_entry"):
            rows[(row.task_id, row.period)] = row
    groups = {c: [] for c in Task.Cadence.values}
    for task in tasks:
        row = rows.get((task.pk, periods[task.pk]))
        reward = row.reward_entry.amount if row is not None and row.reward_entry_id else task.reward_points
        groups[task.cadence].append(ChecklistItem(
            task=task, period=periods[task.pk], count=row.count if row else 0, done=bool(row and row.completed_at),
            completed_at=row.completed_at if row else None, reward=reward, ends_at=period_ends(task, at)))
    return Checklist(newcomer=groups["once"], daily=groups["daily"], weekly=groups["weekly"], event=groups["event"])

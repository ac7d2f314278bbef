"""Tasks and missions in the JSON API (/api/v1/tasks/...): the active tasks with my progress in
their current period. Same selector as the checklist page."""

from datetime import datetime

from ninja import Field, Router, Schema

from forum.api_schemas import READ_ERRORS
from forum.tokens import MEMBER_AUTH

from . import selectors

router = Router(tags=["tasks"])


class TaskProgressOut(Schema):
    id: int
    slug: str
    name: str
    description: str
    trigger: str = Field(description="verify_email, profile_complete, checkin, post_created, topic_created, "
                                     "reply_created, posts_in_category, vote_cast, follow_topic or upvote_received")
    cadence: str = Field(description="once (newcomer), daily, weekly or event")
    category_id: int | None = None
    event_id: int | None = None
    period: str = Field(description="once, the local day (2026-12-03), the ISO week (2026-W49) or event-<id>")
    count: int = Field(description="actions counted in this period")
    required: int = Field(description="actions needed")
    done: bool
    completed_at: datetime | None = None
    reward_points: int = Field(description="the reward (the points paid, once done)")
    period_ends_at: datetime | None = None
    url: str = Field(description="where the member does it")


class ChecklistOut(Schema):
    newcomer_done: int
    newcomer_total: int
    tasks: list[TaskProgressOut]


@router.get("/tasks/me", response={200: ChecklistOut, **READ_ERRORS}, auth=MEMBER_AUTH,
            summary="My tasks: every active task with my progress in its current period")
def my_tasks(request):
    checklist = selectors.member_checklist(member=request.auth)
    tasks = [{
        "id": item.task.pk, "slug": item.task.slug, "name": item.task.label, "description": item.task.description,
        "trigger": item.task.trigger, "cadence": item.task.cadence, "category_id": item.task.category_id,
        "event_id": item.task.event_id, "period": item.period, "count": item.count, "required": item.task.count,
        "done": item.done, "completed_at": item.completed_at, "reward_points": item.reward,
        "period_ends_at": item.ends_at, "url": item.task.action_url(),
    } for item in checklist.all_items()]
    return {"newcomer_done": checklist.newcomer_done, "newcomer_total": len(checklist.newcomer), "tasks": tasks}


def register(api):
    api.add_router("/", router)
    return api

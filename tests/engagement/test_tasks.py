"""Tasks and missions: progress from the hooks, completion paid exactly once (a hook that fires
twice, a retried call), daily and weekly rollover, admin-defined parameters (count, category,
event), the checklist page, the card slot and the API."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from engagement.points.models import PointsAccount, PointsEntry
from engagement.tasks import services
from engagement.tasks.models import Task, TaskProgress
from forum import hooks
from forum import services as forum_services
from forum.models import Notification
from tests.factories import CategoryFactory, TopicFactory, UserFactory


def balance(member):
    account = PointsAccount.objects.filter(member_id=member.pk).first()
    return account.balance if account else 0


def rewards(member):
    return list(PointsEntry.objects.filter(member=member, reason="task_reward").order_by("id"))


@pytest.fixture
def member(db):
    return UserFactory()


@pytest.fixture
def category(db):
    return CategoryFactory()


@pytest.fixture
def newcomer_tasks(db):
    T, C = Task.Trigger, Task.Cadence
    rows = [
        ("verify-email", "验证邮箱", T.VERIFY_EMAIL, 5),
        ("profile", "完善资料", T.PROFILE_COMPLETE, 10),
        ("first-checkin", "第一次签到", T.CHECKIN, 5),
        ("first-post", "发第一帖", T.POST_CREATED, 10),
        ("first-vote", "第一次点赞", T.VOTE_CAST, 5),
        ("first-follow", "关注一个主题", T.FOLLOW_TOPIC, 5),
    ]
    return [Task.objects.create(slug=slug, name=name, trigger=trigger, cadence=C.ONCE, reward_points=points,
                                sort_order=i) for i, (slug, name, trigger, points) in enumerate(rows)]


def test_first_post_completes_the_task_and_pays_once_when_the_hook_fires_twice(
        member, category, newcomer_tasks, django_capture_on_commit_callbacks, ledger_consistent):
    with django_capture_on_commit_callbacks(execute=True):
        topic = TopicFactory.create(author=member, category=category)
    post = topic.posts.get(number=1)
    before = balance(member)
    # the same event delivered again (a retried callback): nothing more is counted or paid
    with django_capture_on_commit_callbacks(execute=True):
        hooks.post_created.send(post=post, actor=member)
    progress = TaskProgress.objects.get(member=member, task__slug="first-post")
    assert progress.period == "once" and progress.count == 1 and progress.completed_at is not None
    assert [e.amount for e in rewards(member)] == [10]
    assert progress.reward_entry == rewards(member)[0]
    assert balance(member) == before
    assert Notification.objects.filter(recipient=member, message__contains="发第一帖").count() == 1


def test_calling_the_service_twice_for_one_action_pays_once(member, newcomer_tasks, ledger_consistent):
    first = services.task_progress_record(member=member, trigger="checkin", source="day-2026-12-03")
    again = services.task_progress_record(member=member, trigger="checkin", source="day-2026-12-03")
    assert [r.task.slug for r in first] == ["first-checkin"] and again == []
    assert [e.amount for e in rewards(member)] == [5]


def test_count_parameter_needs_distinct_sources(member, ledger_consistent):
    task = Task.objects.create(slug="reply-3", name="回复三次", trigger="reply_created", count=3,
                               cadence="once", reward_points=15)
    for source in ["post-1", "post-1", "post-2"]:
        assert services.task_progress_record(member=member, trigger="reply_created", source=source) == []
    row = TaskProgress.objects.get(member=member, task=task)
    assert row.count == 2 and row.completed_at is None and rewards(member) == []
    done = services.task_progress_record(member=member, trigger="reply_created", source="post-3")
    assert [r.pk for r in done] == [row.pk]
    assert [e.amount for e in rewards(member)] == [15]
    services.task_progress_record(member=member, trigger="reply_created", source="post-4")
    row.refresh_from_db()
    assert row.count == 3 and len(rewards(member)) == 1


def test_daily_task_rolls_over_at_local_midnight(member, clock, ledger_consistent):
    clock.set("2026-12-03T23:50:00")
    task = Task.objects.create(slug="daily-checkin", name="每日签到", trigger="checkin", cadence="daily",
                               reward_points=3)
    services.task_progress_record(member=member, trigger="checkin", source="day-2026-12-03")
    services.task_progress_record(member=member, trigger="checkin", source="day-2026-12-03b")
    clock.advance(minutes=20)  # 00:10 the next day: a new period
    services.task_progress_record(member=member, trigger="checkin", source="day-2026-12-04")
    periods = sorted(TaskProgress.objects.filter(member=member, task=task).values_list("period", flat=True))
    assert periods == ["2026-12-03", "2026-12-04"]
    assert [e.amount for e in rewards(member)] == [3, 3]
    assert len({e.idempotency_key for e in rewards(member)}) == 2


def test_weekly_task_counts_across_the_week_and_restarts_on_monday(member, clock, ledger_consistent):
    clock.set("2026-12-05T10:00:00")  # a Saturday
    task = Task.objects.create(slug="weekly-posts", name="本周发帖 2 次", trigger="post_created", count=2,
                               cadence="weekly", reward_points=20)
    services.task_progress_record(member=member, trigger="post_created", source="post-1")
    clock.advance(days=1)  # Sunday, same ISO week
    services.task_progress_record(member=member, trigger="post_created", source="post-2")
    clock.advance(days=1)  # Monday: a new week
    services.task_progress_record(member=member, trigger="post_created", source="post-3")
    rows = dict(TaskProgress.objects.filter(member=member, task=task).values_list("period", "count"))
    assert rows == {"2026-W49": 2, "2026-W50": 1}
    assert [e.amount for e in rewards(member)] == [20]


def test_posts_in_category_counts_only_that_category(member, category, django_capture_on_commit_callbacks):
    other = CategoryFactory()
    task = Task.objects.create(slug="cat-posts", name="在分类里发 2 帖", trigger="posts_in_category", count=2,
                               category=category, cadence="once", reward_points=8)
    with django_capture_on_commit_callbacks(execute=True):
        TopicFactory.create(author=member, category=other)
    assert not TaskProgress.objects.filter(task=task).exists()
    with django_capture_on_commit_callbacks(execute=True):
        topic = TopicFactory.create(author=member, category=category)
        forum_services.post_create(actor=member, topic=topic, body="再补充一点")
    row = TaskProgress.objects.get(task=task, member=member)
    assert row.count == 2 and row.completed_at is not None
    assert [e.amount for e in rewards(member)] == [8]


def test_event_task_counts_only_while_its_event_runs(member, staff, clock, ledger_consistent):
    from engagement.events.models import Event

    clock.set("2026-12-03T10:00:00")
    event = Event.objects.create(title="双十二活动", starts_at=timezone.now() + datetime.timedelta(hours=1),
                                 ends_at=timezone.now() + datetime.timedelta(days=2), created_by=staff)
    task = Task.objects.create(slug="event-vote", name="活动期间点赞", trigger="vote_cast", cadence="event",
                               event=event, reward_points=6)
    services.task_progress_record(member=member, trigger="vote_cast", source="post-1")
    assert not TaskProgress.objects.filter(task=task).exists()
    clock.advance(hours=2)
    services.task_progress_record(member=member, trigger="vote_cast", source="post-1")
    assert TaskProgress.objects.get(task=task).period == f"event-{event.pk}"
    assert [e.amount for e in rewards(member)] == [6]


def test_inactive_or_out_of_window_tasks_do_not_count(member):
    Task.objects.create(slug="off", name="已关闭", trigger="checkin", reward_points=5, is_active=False)
    Task.objects.create(slug="later", name="未开始", trigger="checkin", reward_points=5,
                        starts_at=timezone.now() + datetime.timedelta(days=1))
    assert services.task_progress_record(member=member, trigger="checkin", source="day-x") == []
    assert not TaskProgress.objects.exists()


def test_admin_validation_of_parameters(db):
    with pytest.raises(ValidationError) as err:
        Task(slug="x", name="x", trigger="posts_in_category", reward_points=1).full_clean()
    assert "category" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        Task(slug="y", name="y", trigger="profile_complete", count=3, cadence="daily", reward_points=1).full_clean()
    assert {"count", "cadence"} <= set(err.value.message_dict)


def test_admin_defined_task_from_the_admin_form_works(admin_client, member, category,
                                                       django_capture_on_commit_callbacks):
    response = admin_client.post(reverse("admin:tasks_task_add"), {
        "name": "在分类里回复", "name_en": "Reply in a category", "slug": "reply-in-cat", "description": "",
        "trigger": "reply_created", "count": "2", "category": str(category.pk), "event": "", "cadence": "daily",
        "reward_points": "12", "starts_at_0": "", "starts_at_1": "", "ends_at_0": "", "ends_at_1": "",
        "is_active": "on", "sort_order": "0"})
    assert response.status_code == 302, response.content[:2000]
    topic = TopicFactory.create(author=UserFactory(), category=category)
    with django_capture_on_commit_callbacks(execute=True):
        forum_services.post_create(actor=member, topic=topic, body="第一条回复")
        forum_services.post_create(actor=member, topic=topic, body="第二条回复")
    assert [e.amount for e in rewards(member)] == [12]


def test_profile_complete_needs_avatar_and_bio(member, newcomer_tasks, django_capture_on_commit_callbacks):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    with django_capture_on_commit_callbacks(execute=True):
        forum_services.profile_update(actor=member, member=member, display_name="新人", bio="大家好")
    assert not rewards(member)
    buf = BytesIO()
    Image.new("RGB", (64, 64), "orange").save(buf, "PNG")
    with django_capture_on_commit_callbacks(execute=True):
        forum_services.profile_update(actor=member, member=member, display_name="新人", bio="大家好",
                                      avatar=SimpleUploadedFile("a.png", buf.getvalue(), "image/png"))
    assert [e.note for e in rewards(member)] == ["完善资料"]


def test_vote_and_follow_and_checkin_hooks(member, category, newcomer_tasks, django_capture_on_commit_callbacks):
    from engagement.checkin.services import checkin_today

    topic = TopicFactory.create(author=UserFactory(), category=category)
    with django_capture_on_commit_callbacks(execute=True):
        forum_services.post_vote(actor=member, post=topic.posts.get(number=1), value=1)
        forum_services.topic_subscribe(actor=member, topic=topic, subscribed=True)
        checkin_today(actor=member)
    assert sorted(e.note for e in rewards(member)) == sorted(["第一次点赞", "关注一个主题", "第一次签到"])


def test_email_confirmation_completes_verify_email(client, newcomer_tasks, django_capture_on_commit_callbacks):
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC

    member = UserFactory()
    address = EmailAddress.objects.get(user=member)
    address.verified = False
    address.save()
    confirmation = EmailConfirmationHMAC(address)
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_confirm_email", args=[confirmation.key]))
    assert response.status_code == 302
    address.refresh_from_db()
    assert address.verified
    assert [e.note for e in rewards(member)] == ["验证邮箱"]


def test_checklist_page_shows_progress_links_and_rewards(client, member, newcomer_tasks, clock):
    clock.set("2026-12-03T12:00:00")
    Task.objects.create(slug="daily-reply", name="每日回复", trigger="reply_created", cadence="daily", reward_points=2)
    Task.objects.create(slug="weekly-topic", name="每周发主题", trigger="topic_created", count=3, cadence="weekly",
                        reward_points=30)
    services.task_progress_record(member=member, trigger="checkin", source="day-1")
    services.task_progress_record(member=member, trigger="topic_created", source="post-9")
    client.force_login(member)
    html = client.get(reverse("tasks:checklist")).content.decode()
    assert "1 of 6 done" in html or "已完成 1 / 6" in html
    assert 'href="/checkin/"' not in html.split('data-task="first-checkin"')[1].split("</li>")[0]  # done: no link
    assert 'href="/settings/profile/"' in html and 'href="/new/"' in html
    assert "每日回复" in html and "每周发主题" in html
    assert ("1 of 3" in html or "1 / 3" in html)
    assert "+30" in html and "+5" in html


def test_checklist_needs_sign_in(client, db):
    response = client.get(reverse("tasks:checklist"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_card_shows_next_newcomer_task_and_disappears_when_done(client, member, newcomer_tasks):
    assert client.get(reverse("tasks:card")).status_code == 204
    client.force_login(member)
    html = client.get(reverse("tasks:card")).content.decode()
    assert "验证邮箱" in html and "data-task-card" in html
    for task in newcomer_tasks:
        TaskProgress.objects.create(member=member, task=task, period="once", count=1, completed_at=timezone.now())
    assert client.get(reverse("tasks:card")).status_code == 204


def test_checklist_queries_do_not_grow_with_tasks(client, member, newcomer_tasks, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from engagement.tasks.selectors import member_checklist

    with CaptureQueriesContext(connection) as few:
        member_checklist(member=member)
    for i in range(10):
        task = Task.objects.create(slug=f"more-{i}", name=f"更多 {i}", trigger="checkin", cadence="daily",
                                   reward_points=1)
        services.task_progress_record(member=member, trigger="checkin", source=f"d{i}")
    with CaptureQueriesContext(connection) as many:
        checklist = member_checklist(member=member)
    assert len(many) == len(few) == 2
    assert sum(1 for item in checklist.daily if item.done) == 10
    assert task


def test_api_lists_my_tasks_with_progress(client, member, newcomer_tasks):
    services.task_progress_record(member=member, trigger="vote_cast", source="post-1")
    client.force_login(member)
    data = client.get("/api/v1/tasks/me").json()
    assert data["newcomer_total"] == 6 and data["newcomer_done"] == 1
    vote = next(t for t in data["tasks"] if t["slug"] == "first-vote")
    assert vote["done"] is True and vote["reward_points"] == 5 and vote["period"] == "once"
    post = next(t for t in data["tasks"] if t["slug"] == "first-post")
    assert post["done"] is False and post["url"] == "/new/"
    assert client.logout() is None
    assert client.get("/api/v1/tasks/me").status_code == 401
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/tasks/me" in schema["paths"]


def test_seed_demo_fills_tasks_and_partial_progress(db, django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command

    def seed():
        with django_capture_on_commit_callbacks(execute=True):
            call_command("seed_demo", only=["accounts", "categories", "shop", "tasks"], stdout=StringIO())

    seed()
    assert set(Task.objects.values_list("cadence", flat=True)) >= {"once", "daily", "weekly"}
    assert Task.objects.filter(cadence="once").count() == 6
    assert Task.objects.get(slug="weekly-tech-answers").category.slug == "tech-qa"
    zhao = TaskProgress.objects.filter(member__username="zhao_lei", completed_at__isnull=False, period="once")
    mia = TaskProgress.objects.filter(member__username="mia_chen", completed_at__isnull=False, period="once")
    assert zhao.count() == 6 and 0 < mia.count() < 6
    paid = PointsEntry.objects.filter(reason="task_reward").count()
    seed()  # idempotent: nothing counted or paid twice
    assert PointsEntry.objects.filter(reason="task_reward").count() == paid
    from engagement.shop.models import MemberDecoration, ShopOrder

    assert MemberDecoration.objects.filter(member__username="chen_wei").exists()
    assert ShopOrder.objects.filter(item__kind="badge", member__username="sophie_w").exists()


def test_cms_home_loads_the_card_for_members_only(client, member, newcomer_tasks):
    from cms.services import sections_ensure

    home, _collections, _digests = sections_ensure()
    assert 'data-task-card-slot' not in client.get(home.url).content.decode()
    client.force_login(member)
    html = client.get(home.url).content.decode()
    assert 'hx-get="/tasks/card/"' in html and "data-task-card-slot" in html


def test_forum_index_slot_loads_the_card_for_members(client, member, newcomer_tasks):
    assert "data-page-slot" not in client.get(reverse("forum:index")).content.decode()
    client.force_login(member)
    html = client.get(reverse("forum:index")).content.decode()
    assert '<div hx-get="/tasks/card/" hx-trigger="load" hx-swap="outerHTML" data-page-slot="index_top"></div>' in html
    card = client.get("/tasks/card/").content.decode()
    assert ("0 of 6 done" in card or "已完成 0 / 6" in card) and 'href="/accounts/email/"' in card


def test_admin_action_credits_members_who_already_verified_once(admin_client, admin_user, member):
    from audit.models import AuditLog

    task = Task.objects.create(slug="verify", name="验证邮箱", trigger="verify_email", reward_points=5)
    other = UserFactory()
    other.emailaddress_set.update(verified=False)
    url = reverse("admin:tasks_task_changelist")
    for _run in range(2):
        response = admin_client.post(url, {"action": "credit_state", "_selected_action": [task.pk]})
        assert response.status_code == 302
    assert [e.amount for e in rewards(member)] == [5]
    assert rewards(other) == []
    assert AuditLog.objects.filter(action="tasks.credit_state").count() == 2
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.task_credit_state(actor=member, task_id=task.pk)

"""The weekly digest proposal task, on seeded data."""

import datetime

import pytest
from django.utils import timezone

from cms.models import DigestPage
from cms.selectors import digest_candidates
from cms.tasks import digest_propose_task
from forum import services
from forum.models import Notification, Topic
from forum.moderation import registry
from tests.factories import CategoryFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 9)


def _at(day_offset, hour=12):
    tz = timezone.get_current_timezone()
    return timezone.make_aware(datetime.datetime.combine(MONDAY + datetime.timedelta(days=day_offset),
                                                         datetime.time(hour)), tz)


@pytest.fixture
def week(db, moderator, private_category):
    """A week of activity: topics with upvotes from distinct members and replies, one featured,
    one hidden, one private, one from the week before."""
    category = CategoryFactory()
    voters = [UserFactory() for _ in range(6)]
    author = UserFactory(is_staff=True)  # staff: may also post in the private category

    def make(title, day, upvotes=0, repliers=0, *, category=category):
        topic = TopicFactory.create(author=author, category=category, title=title)
        Topic.objects.filter(pk=topic.pk).update(created_at=_at(day))
        opening = topic.posts.get(number=1)
        for voter in voters[:upvotes]:
            voter.is_staff = category.read_group_id is not None  # voters must be able to read it
            voter.save(update_fields=["is_staff"])
            services.post_vote(actor=voter, post=opening, value=1)
        for replier in voters[:repliers]:
            services.post_create(actor=replier, topic=topic, body="回复 reply")
        if repliers:  # the same member replying twice counts once; the author's replies not at all
            services.post_create(actor=voters[0], topic=topic, body="再回复 again")
            services.post_create(actor=author, topic=topic, body="作者回复 author")
        return Topic.objects.get(pk=topic.pk)

    t = {
        "votes": make("票数最多 most votes", 1, upvotes=5),             # 15
        "replies": make("回复最多 most replies", 2, repliers=6),         # 6
        "mixed": make("有票有回复 mixed", 3, upvotes=2, repliers=2),       # 6 + 2 = 8
        "featured": make("编辑精华 featured", 4, upvotes=1),            # 3 + 10 = 13
        "quiet": make("无人问津 quiet", 5),                                # 0: left out
        "hidden": make("被隐藏 hidden", 2, upvotes=6),
        "private": make("内部 private", 2, upvotes=6, category=private_category),
        "before": make("上周的 last week", -2, upvotes=6),
    }
    editor = UserFactory()
    from django.contrib.auth.models import Group

    editor.groups.add(Group.objects.get(name="Editors"))
    services.topic_feature(actor=editor, topic=t["featured"], featured=True)
    registry.run("topic", "hide", actor=moderator, obj=t["hidden"])
    t["editor"] = editor
    return t


def test_candidates_are_ranked_by_distinct_voters_repliers_and_featured(week):
    ranked = digest_candidates(week_start=MONDAY)
    assert [(topic.pk, score) for topic, score in ranked] == [
        (week["votes"].pk, 15), (week["featured"].pk, 13), (week["mixed"].pk, 8), (week["replies"].pk, 6)]


def test_the_task_proposes_a_draft_once_and_tells_the_editors(week, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = digest_propose_task.delay(MONDAY.isoformat()).get()
    assert result["created"] is True
    page = DigestPage.objects.get(pk=result["page"])
    assert not page.live and page.has_unpublished_changes and page.week_start == MONDAY
    assert page.get_parent().slug == "digests"
    draft = page.get_latest_revision_as_object()
    assert [b.value["topic"].pk for b in draft.body] == [week["votes"].pk, week["featured"].pk, week["mixed"].pk,
                                                         week["replies"].pk]
    note = Notification.objects.get(recipient=week["editor"], kind=Notification.Kind.SYSTEM)
    assert page.title in note.message and note.url == f"/cms/pages/{page.pk}/edit/"
    # a retry (or the next beat run for the same week) writes nothing
    again = digest_propose_task.delay(MONDAY.isoformat()).get()
    assert again == {"page": page.pk, "created": False}
    assert DigestPage.objects.count() == 1


def test_editors_review_reorder_annotate_and_publish(client, week):
    from cms.services import digest_propose

    page, _created = digest_propose(week_start=MONDAY)
    assert client.get(page.url).status_code == 404  # a draft is not public
    draft = page.get_latest_revision_as_object()
    blocks = list(draft.body.raw_data)
    blocks.reverse()
    blocks[0]["value"]["note"] = "编辑点评 editors-note"
    draft.body = blocks
    draft.save_revision().publish()
    html = client.get(page.url).content.decode()
    assert html.index("most replies") < html.index("most votes")
    assert "editors-note" in html and "被隐藏" not in html and "private" not in html


def test_default_week_is_last_week():
    from cms.selectors import previous_week_start

    assert previous_week_start(datetime.date(2026, 11, 18)) == datetime.date(2026, 11, 9)
    assert previous_week_start(datetime.date(2026, 11, 16)) == datetime.date(2026, 11, 9)

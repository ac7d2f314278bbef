"""Index upkeep on the default (database) backend: forum writes reach the index after commit,
through forum.hooks and the Celery tasks; a rolled-back write never does."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from forum import services as forum
from forum.moderation import registry
from search.backends.base import get_backend, reset_backend
from search.documents import SearchParams
from search.models import SearchEntry
from search.visibility import visibility_for
from tests.factories import CategoryFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def database_backend(settings):
    settings.SEARCH_BACKEND = "database"
    reset_backend()
    yield
    reset_backend()


def found(q, user=None):
    results = get_backend().search(SearchParams(q=q), visibility_for(user or AnonymousUser()))
    return {h.object_id for h in results.hits}


def test_create_edit_hide_delete_move(django_capture_on_commit_callbacks, moderator):
    author = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        topic = TopicFactory.create(author=author, title="如何发掘社区中的KOL用户", body="第一版正文 alpha")
    opening = topic.posts.get(number=1)
    assert found("alpha") == {opening.pk}

    with django_capture_on_commit_callbacks(execute=True):
        reply = forum.post_create(actor=UserFactory(), topic=topic, body="回复 bravo")
    assert found("bravo") == {reply.pk}

    with django_capture_on_commit_callbacks(execute=True):
        forum.post_edit(actor=author, post=opening, body="第二版正文 charlie", title="社区冷启动的方法")
    assert found("alpha") == set() and found("charlie") == {opening.pk}
    assert found("冷启动") == {opening.pk}
    # the reply carries the new title for display
    assert SearchEntry.objects.get(object_id=reply.pk).title == "社区冷启动的方法"

    with django_capture_on_commit_callbacks(execute=True):
        registry.run("post", "hide", actor=moderator, obj=reply)
    assert found("bravo") == set()
    with django_capture_on_commit_callbacks(execute=True):
        registry.run("post", "unhide", actor=moderator, obj=reply)
    assert found("bravo") == {reply.pk}

    with django_capture_on_commit_callbacks(execute=True):
        registry.run("post", "delete", actor=moderator, obj=opening)  # deleting the opening post hides the topic
    assert found("charlie") == set() and found("bravo") == set()

    with django_capture_on_commit_callbacks(execute=True):
        registry.run("post", "restore", actor=moderator, obj=opening)
    assert found("charlie") == {opening.pk}

    # a move, as the forum announces it, re-indexes the topic's posts in their new category
    from django.contrib.auth.models import Group

    from forum import hooks

    private = CategoryFactory(read_group=Group.objects.create(name="Core team"))
    topic.category = private
    topic.save(update_fields=["category"])
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            hooks.topic_moved.send(topic=topic, actor=moderator, old_category=topic.category)
    assert found("charlie") == set() and found("bravo") == set()
    assert SearchEntry.objects.filter(topic=topic, category=private).count() == 2


def test_votes_update_the_sort_field(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        topic = TopicFactory.create(title="投票排序测试话题", body="votes body")
    with django_capture_on_commit_callbacks(execute=True):
        forum.post_vote(actor=UserFactory(), post=topic.posts.get(number=1), value=1)
    assert SearchEntry.objects.get(object_id=topic.posts.get(number=1).pk).votes == 1


def test_rolled_back_write_is_never_indexed(django_capture_on_commit_callbacks):
    topic = TopicFactory.create(title="回滚测试话题标题", body="body")
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                forum.post_create(actor=UserFactory(), topic=topic, body="never committed zulu")
                raise RuntimeError("boom")
    assert found("zulu") == set()
    assert not SearchEntry.objects.filter(text__body__contains="zulu").exists()


def test_hard_deleted_posts_leave_the_index(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        topic = TopicFactory.create(title="将被删除的话题", body="yankee body")
    post = topic.posts.get(number=1)
    assert found("yankee") == {post.pk}
    with django_capture_on_commit_callbacks(execute=True):
        post.delete()
    assert found("yankee") == set()


def test_reindex_command_prints_progress(capsys):
    from io import StringIO

    from django.core.management import call_command

    for i in range(3):
        TopicFactory.create(title=f"重建索引话题 {i}", body=f"reindex body {i}")
    SearchEntry.objects.all().delete()
    out = StringIO()
    call_command("search_reindex", "--chunk-size", "2", stdout=out)
    text = out.getvalue()
    assert "Rebuilding the database search index (post)" in text
    assert " 66% 2/3" in text and "100% 3/3" in text and "Indexed 3 documents" in text
    assert len(found("重建索引")) == 3


def test_reindex_command_rejects_bad_chunk_size():
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="between 1 and 50000"):
        call_command("search_reindex", "--chunk-size", "0")

"""PostgreSQL: concurrent votes, replies and index upkeep on one topic answer without an error.

Before, a vote locked its post *and* the joined topic and category rows (SELECT ... FOR UPDATE
with select_related), so votes and replies on one topic, and the live layer's event counter on
the topic row, deadlocked ("deadlock detected ... relation forum_category"). The services now
lock only their own row, and retry_transient is the net under that.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/huoli .venv/bin/python -m pytest \
     tests/forum/test_concurrency_pg.py -m postgres"""

import threading

import pytest
from django.db import connection

from engagement.points.selectors import accounts_out_of_balance
from forum import services
from forum.models import Post, PostVote
from search import services as search_services
from search.models import SearchEntry
from tests.factories import TopicFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.serial,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _run(workers):
    errors = []
    barrier = threading.Barrier(len(workers))

    def wrap(fn):
        try:
            barrier.wait()
            fn()
        except Exception as exc:  # noqa: BLE001 - every error fails the test
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=wrap, args=(fn,)) for fn in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_thirty_members_vote_on_one_post_at_once():
    topic = TopicFactory.create()
    post = topic.posts.get(number=1)
    voters = [UserFactory() for _ in range(30)]
    errors = _run([lambda m=m: services.post_vote(actor=m, post=post, value=1) for m in voters])
    assert errors == []
    post.refresh_from_db()
    topic.refresh_from_db()
    assert post.upvotes == 30 == PostVote.objects.filter(post=post).count()
    assert topic.vote_score == 30
    assert accounts_out_of_balance(member_ids=[post.author_id]) == []


def test_votes_and_replies_on_one_topic_at_once_do_not_deadlock():
    topic = TopicFactory.create()
    for n in range(3):
        services.post_create(actor=UserFactory(), topic=topic, body=f"回复 {n}")
    posts = list(Post.objects.filter(topic=topic).order_by("number"))
    members = [UserFactory() for _ in range(24)]
    work = []
    for i, m in enumerate(members):
        if i % 3 == 0:
            work.append(lambda m=m, i=i: services.post_create(actor=m, topic=topic, body=f"并发回复 {i}"))
        else:
            work.append(lambda m=m, i=i: services.post_vote(actor=m, post=posts[i % len(posts)], value=1))
    errors = _run(work)
    assert errors == []
    topic.refresh_from_db()
    assert topic.post_count == 4 + 8
    assert sorted(Post.objects.filter(topic=topic).values_list("number", flat=True)) == list(range(1, 13))
    assert sum(Post.objects.filter(topic=topic).values_list("upvotes", flat=True)) == 16


def test_concurrent_indexing_of_one_post_is_an_upsert():
    topic = TopicFactory.create()
    post = topic.posts.get(number=1)
    SearchEntry.objects.filter(object_type="post", object_id=post.pk).delete()
    errors = _run([lambda: search_services.index_objects(object_type="post", ids=[post.pk]) for _ in range(8)])
    assert errors == []
    assert SearchEntry.objects.filter(object_type="post", object_id=post.pk).count() == 1

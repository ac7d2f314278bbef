"""The group index and a group's topic list run a fixed number of queries for N and 2N rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import clear_cache
from tests.factories import TopicFactory, UserFactory, add_member, make_group

pytestmark = pytest.mark.django_db

# user, the groups (one query, with the reader's membership flag); the session, the reader's auth groups and
# unread count come from the cache after the warm-up page
INDEX_MEMBER = 2
# user, group, the reader's membership, topics, tags, sub-groups, the reader's application (the session, the
# reader's auth groups and unread count cached)
DETAIL_MEMBER = 7


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _count(client, url):
    clear_cache()
    client.get(url)  # warm what every page caches once (the level ladder)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("n", [4, 8])
def test_group_index(client, n):
    staff = UserFactory(is_staff=True)
    reader = UserFactory()
    for i in range(n):
        main = make_group(name=f"主群{i}", slug=f"main{i}", staff=staff)
        sub = make_group(name=f"子群{i}", slug=f"sub{i}", parent=main, staff=staff)
        if i % 2:
            add_member(sub, reader)
    client.force_login(reader)
    assert _count(client, "/groups/") == INDEX_MEMBER


@pytest.mark.parametrize("n", [4, 8])
def test_group_topic_list(client, n):
    group = make_group(name="主群", slug="main", visibility="members")
    reader = add_member(group, UserFactory())
    for i in range(n):
        author = add_member(group, UserFactory())
        TopicFactory.create(author=author, category=group.category, title=f"小组话题第{i}个", tags=["运营"])
    client.force_login(reader)
    assert _count(client, group.get_absolute_url()) == DETAIL_MEMBER

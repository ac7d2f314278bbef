"""WebSocket joins of a members-only group's topic and category channels: members only."""

import pytest

from tests.factories import TopicFactory, UserFactory, add_member, make_group
from tests.realtime.conftest import run, session_cookie
from tests.realtime.test_live_security import try_connect

pytestmark = pytest.mark.django_db


def test_members_only_group_channels_admit_members_only():
    group = make_group(name="内部小组", slug="inner", visibility="members")
    insider = add_member(group, UserFactory())
    outsider = UserFactory()
    topic = TopicFactory.create(author=insider, category=group.category, title="组内直播话题")
    for path in (f"/ws/topic/{topic.pk}/", f"/ws/category/{group.category_id}/"):
        assert run(try_connect, path) == (False, 4403)
        assert run(try_connect, path, session_cookie(outsider)) == (False, 4403)
        assert run(try_connect, path, session_cookie(insider))[0] is True

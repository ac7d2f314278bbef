"""The topic view counter costs one cache round trip per view (issue 20: it was three, `add` then
Django's `incr`, which is EXISTS plus INCRBY), on Redis and on the local-memory cache alike."""

import pytest
import redis
from django.core.cache import cache

from forum import services
from forum.models import Topic
from tests.factories import TopicFactory

pytestmark = pytest.mark.django_db


def test_count_creates_then_adds():
    cache.delete("t:count")
    assert cache.count("t:count") == 1
    assert cache.count("t:count") == 2
    assert cache.count("t:count", delta=5) == 7
    assert cache.get("t:count") == 7


@pytest.mark.redis
def test_a_view_is_one_redis_command(settings, monkeypatch):
    settings.HUOLI = {**settings.HUOLI, "VIEW_COUNT_BATCH": 3}
    topic = TopicFactory.create()
    commands = []
    real = redis.Redis.execute_command

    def spy(self, *args, **kwargs):
        commands.append(args[0])
        return real(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "execute_command", spy)
    for _ in range(4):
        services.topic_register_view(topic_id=topic.pk)
    assert commands == ["INCRBY"] * 4
    assert Topic.objects.get(pk=topic.pk).view_count == 3  # the third view wrote the batch

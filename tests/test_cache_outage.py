"""Redis down: every page still renders and every write is saved, from the database.

The cache is forum.lib.cache.FailSoftCache around an inner backend that raises a redis
ConnectionError on every call (and, in a second test, around Django's RedisCache pointed at a
closed port). A member reads the home, category, topic, leaderboard and member pages, signs in
through the real login form, posts a topic and a reply and votes: every answer is 200 or 302 and
the rows are in the database. The warning is logged once, not once per call."""

import logging

import pytest
from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.test import override_settings
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from forum import ratelimit
from forum.lib import cache as cache_lib
from forum.models import Post, PostVote, Topic
from tests.factories import CategoryFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

CALLS = []


class AlwaysDownCache(BaseCache):
    """A cache backend whose server is never there: every operation raises ConnectionError."""

    def __init__(self, location, params):
        super().__init__(params)

    def _down(self, name):
        CALLS.append(name)
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    def get(self, key, default=None, version=None):
        self._down("get")

    def get_many(self, keys, version=None):
        self._down("get_many")

    def set(self, key, value, timeout=None, version=None):
        self._down("set")

    def add(self, key, value, timeout=None, version=None):
        self._down("add")

    def touch(self, key, timeout=None, version=None):
        self._down("touch")

    def delete(self, key, version=None):
        self._down("delete")

    def has_key(self, key, version=None):
        self._down("has_key")

    def incr(self, key, delta=1, version=None):
        self._down("incr")

    def decr(self, key, delta=1, version=None):
        self._down("decr")

    def set_many(self, data, timeout=None, version=None):
        self._down("set_many")

    def delete_many(self, keys, version=None):
        self._down("delete_many")

    def clear(self):
        self._down("clear")


DOWN = {"default": {"BACKEND": "forum.lib.cache.FailSoftCache", "LOCATION": "down",
                    "OPTIONS": {"INNER_BACKEND": "tests.test_cache_outage.AlwaysDownCache"}}}
CLOSED_PORT = {"default": {"BACKEND": "forum.lib.cache.FailSoftCache", "LOCATION": "redis://127.0.0.1:1/0",
                           "OPTIONS": {"INNER_BACKEND": "forum.lib.cache.ReusedClientRedisCache",
                                       "socket_connect_timeout": 0.5, "socket_timeout": 0.5}}}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    """Built while the cache works: a category, a topic by someone else, and a member who will sign in."""
    category = CategoryFactory(name="运营交流", slug="ops")
    author = UserFactory(username="laowang")
    topic = TopicFactory.create(author=author, category=category, title="社区冷启动怎么做", body="大家分享一下经验")
    member = UserFactory(username="xiaoli")
    return category, topic, member


def _forget_log_throttle():
    cache_lib._last_logged.clear()  # noqa: SLF001 - the test resets this module's throttle between runs


def _walk_the_site(client, category, topic, member, caplog):
    with caplog.at_level(logging.WARNING):
        for url in ["/", reverse("forum:latest"), category.get_absolute_url(), topic.get_absolute_url(),
                    reverse("engagement:leaderboard"), reverse("forum:member", args=[topic.author.username])]:
            response = client.get(url)
            assert response.status_code == 200, url
        assert "社区冷启动怎么做" in client.get(category.get_absolute_url()).content.decode()

        # signing in through the form (allauth's own rate limits use the cache too)
        response = client.post(reverse("account_login"), {"login": member.username,
                                                          "password": "correct-horse-battery"})
        assert response.status_code == 302, response.content.decode()[:500]
        assert client.get(reverse("forum:notifications")).status_code == 200

        response = client.post(reverse("forum:topic_new"), {"category": category.pk, "title": "断网时也能发帖吗",
                                                            "body": "Redis 挂了，帖子照样保存", "tags": "运维"})
        assert response.status_code == 302
        new_topic = Topic.objects.get(title="断网时也能发帖吗")
        assert new_topic.author == member and new_topic.posts.count() == 1

        response = client.post(reverse("forum:topic_reply", args=[topic.pk]), {"body": "我来回复一下，缓存挂了也不怕"})
        assert response.status_code == 302
        assert Post.objects.filter(topic=topic, author=member, source__contains="缓存挂了也不怕").exists()

        first = topic.posts.get(number=1)
        response = client.post(reverse("forum:post_vote", args=[first.pk]), {"value": "1"})
        assert response.status_code == 302
        assert PostVote.objects.filter(post=first, user=member, value=1).exists()
        first.refresh_from_db()
        assert first.score == 1

        # the new topic and the reply are on the pages at once (nothing is served from a stale cache)
        assert "我来回复一下" in client.get(topic.get_absolute_url()).content.decode()
        assert "断网时也能发帖吗" in client.get("/").content.decode()
    return [r for r in caplog.records if r.name == "huoli.cache"]


def test_cache_that_raises_on_every_call_costs_no_page_and_no_write(client, world, caplog):
    category, topic, member = world
    CALLS.clear()
    _forget_log_throttle()
    with override_settings(CACHES=DOWN):
        assert cache.get("anything", "fallback") == "fallback"
        warnings = _walk_the_site(client, category, topic, member, caplog)
        assert len(CALLS) > 20  # the pages really did ask the cache, and it really did fail
    # one warning for the whole walk, however many calls failed
    assert len(warnings) == 1
    assert "cache unreachable" in warnings[0].getMessage()


def test_redis_on_a_closed_port(client, world, caplog):
    category, topic, member = world
    _forget_log_throttle()
    with override_settings(CACHES=CLOSED_PORT):
        warnings = _walk_the_site(client, category, topic, member, caplog)
    assert len(warnings) == 1
    assert "ConnectionError" in warnings[0].getMessage()


def test_fail_soft_semantics_are_an_empty_cache():
    with override_settings(CACHES=DOWN):
        assert cache.get("k") is None
        assert cache.get_many(["a", "b"]) == {}
        assert cache.set("k", 1) is None
        assert cache.add("k", 1) is True  # an empty cache would have stored it
        assert cache.has_key("k") is False
        assert cache.get_or_set("k", lambda: "computed") == "computed"
        with pytest.raises(ValueError):  # as for a missing key: callers that handle eviction carry on
            cache.incr("k")
        assert cache.degraded is True
    # a working cache still works through the same wrapper, and says it is not degraded
    cache.set("k", 41)
    assert cache.incr("k") == 42
    assert cache.degraded is False


def test_rate_limits_fail_open_with_a_log_line(caplog, member):
    _forget_log_throttle()
    with override_settings(CACHES=DOWN), caplog.at_level(logging.WARNING):
        for _ in range(5):
            ratelimit.rate_limit_hit(key=f"post:{member.pk}", limit=1, window=3600)  # would refuse the 2nd
    assert any("rate limits not enforced" in r.getMessage() for r in caplog.records)


def test_rate_limits_still_refuse_when_the_cache_works(member):
    ratelimit.rate_limit_hit(key=f"post:{member.pk}", limit=1, window=3600)
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.rate_limit_hit(key=f"post:{member.pk}", limit=1, window=3600)


def test_a_programming_error_is_not_swallowed():
    with pytest.raises(Exception) as info:
        cache.set("k", lambda: None)  # a lambda cannot be pickled (locmem) - a bug, not an outage
    assert not isinstance(info.value, cache_lib.CacheUnavailable)


def test_the_redis_cache_builds_one_client_per_pool_not_one_per_call():
    """Django builds a redis.Redis (and its table of ~180 response callbacks) for every cache call;
    ours keeps one per connection pool, and still degrades when the server is down."""
    from forum.lib.cache import FailSoftCache

    cache = FailSoftCache(CLOSED_PORT["default"]["LOCATION"], CLOSED_PORT["default"])
    inner = cache.inner._cache  # noqa: SLF001 - the client the backend uses
    first = inner.get_client("a", write=True)
    assert inner.get_client("b", write=False) is first  # one server: reads and writes share pool 0
    assert first.connection_pool is inner._get_connection_pool(True)  # noqa: SLF001
    _forget_log_throttle()
    assert cache.get("missing", "fallback") == "fallback"
    assert cache.get_many(["a", "b"]) == {}
    assert inner.get_client("c") is first

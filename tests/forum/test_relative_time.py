"""Relative times ("3 分钟前" / "3 minutes ago") with the exact time in <time datetime title> (issue 15)."""

import datetime

import pytest
from django.utils import timezone, translation

from forum.templatetags.forum_tags import relative_time, when
from tests.factories import TopicFactory

NOW = timezone.make_aware(datetime.datetime(2026, 12, 4, 12, 0, 0), datetime.UTC)


@pytest.mark.parametrize("ago,zh,en", [
    (datetime.timedelta(seconds=20), "刚刚", "just now"),
    (datetime.timedelta(minutes=3), "3 分钟前", "3 minutes ago"),
    (datetime.timedelta(minutes=1, seconds=5), "1 分钟前", "1 minute ago"),
    (datetime.timedelta(hours=5), "5 小时前", "5 hours ago"),
    (datetime.timedelta(days=2), "2 天前", "2 days ago"),
    (datetime.timedelta(days=45), "2026-10-20", "2026-10-20"),
])
def test_relative_time_in_both_languages(ago, zh, en):
    with translation.override("zh-hans"):
        assert relative_time(NOW - ago, now=NOW) == zh
    with translation.override("en"):
        assert relative_time(NOW - ago, now=NOW) == en


def test_a_future_moment_shows_its_date():
    assert relative_time(NOW + datetime.timedelta(hours=3), now=NOW) == "2026-12-04"


def test_when_gives_the_exact_local_time_in_the_title():
    moment = timezone.now() - datetime.timedelta(minutes=3)
    local = timezone.localtime(moment)
    with translation.override("zh-hans"):
        html = str(when(moment))
    assert html.startswith(f'<time datetime="{moment.isoformat()}" title="{local:%Y-%m-%d %H:%M}" data-relative>')
    assert "3 分钟前</time>" in html
    assert when(None) == ""


@pytest.mark.django_db
def test_topic_pages_show_relative_times(client):
    topic = TopicFactory.create(title="相对时间")
    client.cookies["django_language"] = "zh-hans"
    body = client.get(topic.get_absolute_url()).content.decode()
    assert "data-relative>刚刚</time>" in body
    client.cookies["django_language"] = "en"
    assert "data-relative>just now</time>" in client.get("/latest/").content.decode()

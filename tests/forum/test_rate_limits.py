"""Write limits per level (engagement.levels through the forum's policy hooks): topics and replies
per hour, votes and reports per day, links and images per post for the lowest levels (topics,
replies and edits). A refusal is HTTP 429 with Retry-After and a message that says when to try
again (or 403 for links and images), on the plain web pages, with htmx and on the API."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from engagement.levels.models import Level, MemberLevel
from engagement.levels.selectors import ladder_invalidate, level_ladder
from forum import services
from forum.models import PostVote, User
from forum.moderation.models import Report
from forum.ratelimit import retry_phrase
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = 86400
LINKS = "see [a](https://a.example/) [b](https://b.example/) [c](https://c.example/)"  # level 1 allows 2
IMAGES = "pics ![a](https://img.example/a.png) ![b](https://img.example/b.png)"  # level 1 allows 1


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def set_level(number, **fields):
    Level.objects.filter(number=number).update(**fields)
    ladder_invalidate()


def at_level(user, number):
    MemberLevel.objects.update_or_create(member=user, defaults={"level_number": number})
    return User.objects.get(pk=user.pk)


def others_posts(category, n):
    return [TopicFactory.create(category=category, author=UserFactory()).posts.get(number=1) for _ in range(n)]


def assert_429(response, *texts):
    assert response.status_code == 429, response.content[:500]
    assert 0 < int(response["Retry-After"]) <= DAY
    body = response.content.decode()
    for text in texts:
        assert text in body, (text, body[:2000])
    return body


def api_message(response):
    return response.json()["error"]["message"]


# --- the ladder -------------------------------------------------------------------------------------
def test_default_daily_limits_grow_with_the_level():
    ladder = level_ladder()
    votes = [lv.votes_per_day for lv in ladder]
    reports = [lv.reports_per_day for lv in ladder]
    assert votes[-1] is None and reports[-1] is None  # the top level: only the site-wide limit
    assert votes[:-1] == sorted(votes[:-1]) and len(set(votes[:-1])) == len(votes) - 1
    assert reports[:-1] == sorted(reports[:-1]) and len(set(reports[:-1])) == len(reports) - 1


def test_daily_limits_are_configurable_on_the_level_in_the_admin(client):
    client.force_login(User.objects.create_superuser("root", "r@example.com", "pw-pw-pw-pw"))
    level = Level.objects.get(number=1)
    response = client.get(reverse("admin:levels_level_change", args=[level.pk]))
    fields = response.context["adminform"].form.fields
    assert {"posts_per_hour", "votes_per_day", "reports_per_day", "max_links", "max_images"} <= set(fields)


def test_retry_phrase_says_when():
    with translation.override("en"):
        assert retry_phrase(42) == "in 42 seconds"
        text = retry_phrase(3 * 3600 + 12 * 60 + 5).replace("\xa0", " ")
    assert "3 hours" in text and "12 minutes" in text and re.search(r"at \d{4}-\d\d-\d\d \d\d:\d\d", text)


# --- votes per day ----------------------------------------------------------------------------------
def test_votes_per_day_by_level_on_the_api(client, member, category):
    set_level(1, votes_per_day=2)
    posts = others_posts(category, 3)
    client.force_login(member)
    for post in posts[:2]:
        assert client.post(f"/api/v1/posts/{post.pk}/vote", {"value": 1}, content_type="application/json").status_code == 200
    response = client.post(f"/api/v1/posts/{posts[2].pk}/vote", {"value": 1}, content_type="application/json")
    assert_429(response)
    assert response.json()["error"]["code"] == "level_rate"
    message = api_message(response)
    assert "Lv1" in message and "at most 2 votes a day" in message and "Try again in" in message
    assert "Lv2" in message  # the level that may vote more
    assert not PostVote.objects.filter(post=posts[2]).exists()
    # withdrawing a vote is not a vote
    response = client.post(f"/api/v1/posts/{posts[0].pk}/vote", {"value": 0}, content_type="application/json")
    assert response.status_code == 200


def test_votes_per_day_by_level_on_the_plain_page(client, member, category):
    set_level(1, votes_per_day=1)
    posts = others_posts(category, 2)
    client.force_login(member)
    assert client.post(reverse("forum:post_vote", args=[posts[0].pk]), {"value": "1"}).status_code == 302
    response = client.post(reverse("forum:post_vote", args=[posts[1].pk]), {"value": "1"})
    assert_429(response, "at most 1 vote a day", "Try again in")
    assert not PostVote.objects.filter(post=posts[1]).exists()


def test_votes_per_day_by_level_with_htmx(client, member, category):
    set_level(1, votes_per_day=1)
    posts = others_posts(category, 2)
    client.force_login(member)
    headers = {"HTTP_HX_REQUEST": "true"}
    assert client.post(reverse("forum:post_vote", args=[posts[0].pk]), {"value": "1"}, **headers).status_code == 200
    response = client.post(reverse("forum:post_vote", args=[posts[1].pk]), {"value": "-1"}, **headers)
    body = assert_429(response, "at most 1 vote a day", "Try again in")
    assert "<html" not in body  # the fragment, swapped in place


def test_a_higher_level_may_vote_more(member, category):
    set_level(1, votes_per_day=1)
    set_level(2, votes_per_day=3)
    member = at_level(member, 2)
    for post in others_posts(category, 3):
        services.post_vote(actor=member, post=post, value=1)
    assert PostVote.objects.filter(user=member).count() == 3


def test_the_site_wide_limit_applies_when_it_is_tighter(settings, client, member, category):
    settings.HUOLI = {**settings.HUOLI, "RATE_LIMITS": {**settings.HUOLI["RATE_LIMITS"], "vote_day": (1, DAY)}}
    set_level(1, votes_per_day=5)
    posts = others_posts(category, 2)
    client.force_login(member)
    client.post(f"/api/v1/posts/{posts[0].pk}/vote", {"value": 1}, content_type="application/json")
    response = client.post(f"/api/v1/posts/{posts[1].pk}/vote", {"value": 1}, content_type="application/json")
    assert_429(response)
    assert response.json()["error"]["code"] == "rate_limited" and "Try again in" in api_message(response)


def test_moderators_are_not_limited_by_level(moderator, category):
    set_level(1, votes_per_day=1, reports_per_day=1)
    from forum.moderation import reports

    for post in others_posts(category, 3):
        services.post_vote(actor=moderator, post=post, value=1)
        reports.report_create(actor=moderator, target=post, reason="spam")
    assert Report.objects.filter(reporter=moderator).count() == 3


# --- reports per day --------------------------------------------------------------------------------
def test_reports_per_day_by_level_on_the_api(client, member, category):
    set_level(1, reports_per_day=1)
    posts = others_posts(category, 2)
    client.force_login(member)
    payload = {"target": "post", "id": posts[0].pk, "reason": "spam"}
    assert client.post("/api/v1/reports", payload, content_type="application/json").status_code == 201
    payload["id"] = posts[1].pk
    response = client.post("/api/v1/reports", payload, content_type="application/json")
    assert_429(response)
    message = api_message(response)
    assert response.json()["error"]["code"] == "level_rate"
    assert "at most 1 report a day" in message and "Try again in" in message and "Lv2" in message
    assert not Report.objects.filter(item__post=posts[1]).exists()


def test_reports_per_day_by_level_on_the_page(client, member, category):
    set_level(1, reports_per_day=1)
    posts = others_posts(category, 2)
    client.force_login(member)
    for _ in range(3):  # opening the form does not count
        assert client.get(reverse("forum:report", args=["post", posts[0].pk])).status_code == 200
    url = reverse("forum:report", args=["post", posts[0].pk])
    assert client.post(url, {"reason": "spam"}).status_code == 302
    response = client.post(reverse("forum:report", args=["post", posts[1].pk]), {"reason": "spam"})
    assert_429(response, "at most 1 report a day", "Try again in")


# --- topics and replies per hour --------------------------------------------------------------------
def test_posts_per_hour_by_level_on_the_pages(client, member, category):
    set_level(1, posts_per_hour=1)
    client.force_login(member)
    response = client.post(reverse("forum:topic_new"), {"category": category.pk, "title": "My first topic",
                                                        "body": "Hello everyone"})
    assert response.status_code == 302
    topic = member.topics.get()
    response = client.post(reverse("forum:topic_reply", args=[topic.pk]), {"body": "and a reply"})
    assert_429(response, "at most 1 posts an hour", "Try again in")
    response = client.post(reverse("forum:topic_new"), {"category": category.pk, "title": "Another topic",
                                                        "body": "Hello again"})
    assert_429(response, "Try again in")
    assert member.topics.count() == 1 and topic.posts.count() == 1


def test_topics_per_hour_by_level_on_the_api(client, member, category):
    set_level(1, posts_per_hour=1)
    client.force_login(member)
    payload = {"category": category.pk, "title": "Topic number one", "body": "Hello"}
    assert client.post("/api/v1/topics", payload, content_type="application/json").status_code == 201
    payload["title"] = "Topic number two"
    response = client.post("/api/v1/topics", payload, content_type="application/json")
    assert_429(response)
    assert "Lv1" in api_message(response) and "Try again in" in api_message(response)


def test_edits_do_not_count_as_posts(member, category):
    set_level(1, posts_per_hour=1)
    topic = TopicFactory.create(author=member, category=category, body="first")
    post = topic.posts.get(number=1)
    for i in range(3):
        services.post_edit(actor=member, post=post, body=f"edited {i}")


# --- links and images for the lowest levels ---------------------------------------------------------
@pytest.mark.parametrize("body, what", [(LINKS, "links"), (IMAGES, "images")])
def test_link_and_image_limits_on_topics_replies_and_edits_on_the_pages(client, member, other_member, category,
                                                                          body, what):
    client.force_login(member)
    response = client.post(reverse("forum:topic_new"), {"category": category.pk, "title": "With links",
                                                        "body": body})
    assert response.status_code == 403
    assert "Lv1" in response.content.decode() and what in response.content.decode()
    assert not member.topics.exists()

    other = TopicFactory.create(author=other_member, category=category)
    response = client.post(reverse("forum:topic_reply", args=[other.pk]), {"body": body})
    assert response.status_code == 403 and what in response.content.decode()
    assert other.posts.count() == 1

    own = TopicFactory.create(author=member, category=category, body="plain text")
    post = own.posts.get(number=1)
    response = client.post(reverse("forum:post_edit", args=[post.pk]), {"title": own.title, "body": body})
    assert response.status_code == 403 and what in response.content.decode()
    post.refresh_from_db()
    assert post.source == "plain text"

    member = at_level(member, 2)  # 注册会员 may post more
    response = client.post(reverse("forum:post_edit", args=[post.pk]), {"title": own.title, "body": body})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.source == body


@pytest.mark.parametrize("body, code", [(LINKS, "level_links"), (IMAGES, "level_images")])
def test_link_and_image_limits_on_topics_replies_and_edits_on_the_api(client, member, other_member, category,
                                                                        body, code):
    client.force_login(member)
    response = client.post("/api/v1/topics", {"category": category.pk, "title": "With links", "body": body},
                           content_type="application/json")
    assert response.status_code == 403 and response.json()["error"]["code"] == code
    other = TopicFactory.create(author=other_member, category=category)
    response = client.post(f"/api/v1/topics/{other.pk}/posts", {"body": body}, content_type="application/json")
    assert response.status_code == 403 and response.json()["error"]["code"] == code
    own = TopicFactory.create(author=member, category=category, body="plain text")
    post = own.posts.get(number=1)
    response = client.patch(f"/api/v1/posts/{post.pk}", {"body": body}, content_type="application/json")
    assert response.status_code == 403 and response.json()["error"]["code"] == code
    assert "Lv2" in api_message(response) or "注册会员" in api_message(response)
    post.refresh_from_db()
    assert post.source == "plain text"


def test_a_moderator_may_edit_a_members_post_with_links(moderator, member, category):
    topic = TopicFactory.create(author=member, category=category, body="plain text")
    post = services.post_edit(actor=moderator, post=topic.posts.get(number=1), body=LINKS)
    assert post.source == LINKS


def test_an_edit_may_keep_links_the_post_already_had(member, category):
    member = at_level(member, 2)
    topic = TopicFactory.create(author=member, category=category, body=LINKS)
    post = topic.posts.get(number=1)
    MemberLevel.objects.filter(member=member).update(level_number=1)  # demoted by a points reversal
    member = User.objects.get(pk=member.pk)
    services.post_edit(actor=member, post=post, body=LINKS + " (typo fixed)")
    from forum.errors import NotAllowed

    with pytest.raises(NotAllowed):
        services.post_edit(actor=member, post=post, body=LINKS + " [d](https://d.example/)")

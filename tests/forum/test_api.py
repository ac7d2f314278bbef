"""The JSON API at /api/v1/: every endpoint, its errors (one envelope, nothing half-saved),
session + CSRF and token authentication, the OpenAPI document, the docs page and query counts."""

import hashlib
import json
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.contrib.staticfiles import finders
from django.middleware.csrf import _get_new_csrf_string  # noqa: PLC2701  (a token Django would accept, for the CSRF test)
from django.test import Client
from django.utils import timezone

from forum import services, tokens
from forum.errors import InvalidInput, NotAllowed
from forum.models import ApiToken, Bookmark, Notification, Post, PostRevision, PostVote, Tag, Topic
from forum.moderation import registry
from tests.factories import CategoryFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"


# --- helpers -----------------------------------------------------------------------------------
def call(client, method, path, data=None, **extra):
    kwargs = {"content_type": "application/json"}
    if data is not None:
        kwargs["data"] = data if isinstance(data, str) else json.dumps(data)
    response = getattr(client, method)(API + path, **kwargs, **extra)
    return response, (response.json() if response.content and response["Content-Type"].startswith(
        "application/json") else None)


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def assert_error(response, body, status, code, field=None):
    assert response.status_code == status, body
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "field"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    if field is not None:
        assert body["error"]["field"] == field


def snapshot():
    return {model.__name__: model.objects.count()
            for model in (Topic, Post, PostVote, PostRevision, Tag, Bookmark, Notification)} | {
        "scores": list(Post.objects.order_by("pk").values_list("score", "source", "is_deleted")),
        "titles": list(Topic.objects.order_by("pk").values_list("title", "reply_count", "post_count")),
    }


@pytest.fixture
def anon():
    return Client()


@pytest.fixture
def member_client(member):
    client = Client()
    client.force_login(member)
    return client


@pytest.fixture
def other_client(other_member):
    client = Client()
    client.force_login(other_member)
    return client


@pytest.fixture
def mod_client(moderator):
    client = Client()
    client.force_login(moderator)
    return client


@pytest.fixture
def private_category(db):
    group = Group.objects.create(name="Insiders")
    return CategoryFactory(name="内部", slug="insiders", read_group=group)


@pytest.fixture
def topic(member, category):
    return TopicFactory.create(author=member, category=category, title="关于 API 的讨论", body="第一帖 **粗体**",
                               tags=["api", "讨论"])


# --- categories --------------------------------------------------------------------------------
def test_categories_lists_public_ones_to_guests(anon, category, private_category, topic):
    response, body = call(anon, "get", "/categories")
    assert response.status_code == 200
    assert [c["slug"] for c in body] == [category.slug]
    assert body[0]["topic_count"] == 1 and body[0]["last_topic"]["id"] == topic.pk
    assert body[0]["can_post"] is False  # guests cannot post


def test_categories_include_private_ones_for_group_members(member_client, member, category, private_category):
    member.groups.add(private_category.read_group)
    response, body = call(member_client, "get", "/categories")
    assert {c["slug"] for c in body} == {category.slug, private_category.slug}
    assert all(c["can_post"] for c in body)


def test_category_topics_sorted_and_paginated(anon, member, other_member, category, settings):
    settings.HUOLI = {**settings.HUOLI, "TOPICS_PER_PAGE": 2}
    topics = [TopicFactory.create(author=member, category=category, title=f"话题编号 {i}") for i in range(3)]
    services.post_vote(actor=other_member, post=topics[0].posts.get(), value=1)

    response, body = call(anon, "get", f"/categories/{category.slug}/topics?sort=latest")
    assert response.status_code == 200
    assert (body["page"], body["pages"], body["count"], body["per_page"]) == (1, 2, 3, 2)
    assert [t["id"] for t in body["results"]] == [topics[2].pk, topics[1].pk]
    assert body["previous"] is None
    assert body["next"] == f"http://testserver{API}/categories/{category.slug}/topics?sort=latest&page=2"
    assert body["category"]["slug"] == category.slug and body["sort"] == "latest"

    response, body = call(anon, "get", f"/categories/{category.slug}/topics?sort=latest&page=2")
    assert [t["id"] for t in body["results"]] == [topics[0].pk]
    assert body["next"] is None and body["previous"].endswith("page=1")

    response, body = call(anon, "get", f"/categories/{category.slug}/topics?sort=top")
    assert body["results"][0]["id"] == topics[0].pk and body["results"][0]["vote_score"] == 1
    assert body["results"][0]["author"]["username"] == member.username


def test_category_topics_errors(anon, private_category):
    assert_error(*call(anon, "get", "/categories/no-such-thing/topics"), 404, "not_found")
    assert_error(*call(anon, "get", f"/categories/{private_category.slug}/topics"), 403, "forbidden")
    assert_error(*call(anon, "get", f"/categories/{private_category.slug}/topics?sort=oldest"), 422,
                 "validation_error", field="sort")
    assert_error(*call(anon, "get", f"/categories/{private_category.slug}/topics?page=0"), 422,
                 "validation_error", field="page")


# --- topics and posts (reads) ------------------------------------------------------------------
def test_topic_detail(anon, member_client, topic):
    response, body = call(anon, "get", f"/topics/{topic.pk}")
    assert response.status_code == 200
    assert body["title"] == "关于 API 的讨论"
    assert sorted(t["name"] for t in body["tags"]) == ["api", "讨论"]
    assert body["can_reply"] is False and body["first_unread_number"] == 1
    response, body = call(member_client, "get", f"/topics/{topic.pk}")
    assert body["can_reply"] is True


def test_topic_detail_errors(anon, other_client, moderator, topic, private_category, member):
    assert_error(*call(anon, "get", "/topics/987654"), 404, "not_found")
    insider = UserFactory()
    insider.groups.add(private_category.read_group)
    secret_topic = TopicFactory.create(author=insider, category=private_category)
    assert_error(*call(anon, "get", f"/topics/{secret_topic.pk}"), 403, "forbidden")
    registry.run("topic", "hide", actor=moderator, obj=topic)
    assert_error(*call(other_client, "get", f"/topics/{topic.pk}"), 403, "forbidden")


def test_topic_posts_serve_sanitized_html_and_placeholders(anon, member, other_member, moderator, mod_client,
                                                           category):
    topic = TopicFactory.create(author=member, category=category,
                                body='hello <script>alert(1)</script> [x](javascript:alert(1)) <b onclick="x()">b</b>')
    reply = services.post_create(actor=other_member, topic=topic, body="要删除的回复 secret words")
    services.post_delete(actor=other_member, post=reply)
    hidden = services.post_create(actor=other_member, topic=topic, body="被隐藏的回复 spam words")
    registry.run("post", "hide", actor=moderator, obj=hidden)

    response, body = call(anon, "get", f"/topics/{topic.pk}/posts")
    assert response.status_code == 200
    assert (body["page"], body["pages"], body["count"]) == (1, 1, 3)
    opening, deleted, hidden_post = body["results"]
    assert opening["html"] == Post.objects.get(topic=topic, number=1).html
    assert "<script" not in opening["html"] and 'href="javascript' not in opening["html"]
    assert "<b onclick" not in opening["html"] and opening["placeholder"] is False
    assert opening["source"].startswith("hello")
    for post in (deleted, hidden_post):
        assert post["placeholder"] is True and post["source"] is None
        assert "words" not in post["html"]
    assert deleted["is_deleted"] is True and hidden_post["is_hidden"] is True
    assert [p["number"] for p in body["results"]] == [1, 2, 3]

    response, body = call(mod_client, "get", f"/topics/{topic.pk}/posts")
    assert "secret words" in body["results"][1]["html"] and body["results"][1]["placeholder"] is False
    assert "spam words" in body["results"][2]["source"]


def test_topic_posts_show_my_vote_and_bookmark(member, other_client, other_member, topic):
    post = topic.posts.get()
    services.post_vote(actor=other_member, post=post, value=-1)
    services.bookmark_toggle(actor=other_member, post=post)
    response, body = call(other_client, "get", f"/topics/{topic.pk}/posts")
    assert body["results"][0]["my_vote"] == -1 and body["results"][0]["is_bookmarked"] is True
    assert body["results"][0]["score"] == -1 and body["results"][0]["downvotes"] == 1


def test_topic_posts_pages(anon, member, topic, settings):
    settings.HUOLI = {**settings.HUOLI, "POSTS_PER_PAGE": 2}
    for i in range(3):
        services.post_create(actor=member, topic=topic, body=f"回复 {i}")
    response, body = call(anon, "get", f"/topics/{topic.pk}/posts?page=2")
    assert (body["page"], body["pages"], body["count"]) == (2, 2, 4)
    assert [p["number"] for p in body["results"]] == [3, 4]
    assert body["next"] is None and body["previous"].endswith(f"/topics/{topic.pk}/posts?page=1")
    response, body = call(anon, "get", f"/topics/{topic.pk}/posts?page=99")  # past the end: the last page
    assert body["page"] == 2


# --- topic creation ----------------------------------------------------------------------------
def test_create_topic_by_id_and_by_slug(member_client, member, category):
    response, body = call(member_client, "post", "/topics",
                          {"category": category.pk, "title": "新话题 by id", "body": "正文 *强调*", "tags": ["运营"]})
    assert response.status_code == 201, body
    topic = Topic.objects.get(pk=body["id"])
    assert topic.author == member and topic.category == category and topic.title == "新话题 by id"
    assert [t.name for t in topic.tags.all()] == ["运营"]
    assert body["tags"] == [{"name": "运营", "slug": "运营"}]
    assert body["author"]["username"] == member.username and body["post_count"] == 1

    response, body = call(member_client, "post", "/topics",
                          {"category": category.slug, "title": "新话题 by slug", "body": "正文"})
    assert response.status_code == 201
    assert Topic.objects.get(pk=body["id"]).category == category
    assert Topic.objects.count() == 2


@pytest.mark.parametrize(
    "payload,status,code,field",
    [
        ({"category": 987654, "title": "A good title", "body": "body"}, 400, "invalid", "category"),
        ({"category": "no-such-slug", "title": "A good title", "body": "body"}, 400, "invalid", "category"),
        ({"category": "CAT", "title": "", "body": "body"}, 400, "invalid", "title"),
        ({"category": "CAT", "title": "    ", "body": "body"}, 400, "invalid", "title"),
        ({"category": "CAT", "title": "x" * 121, "body": "body"}, 400, "invalid", "title"),
        ({"category": "CAT", "title": "A good title", "body": ""}, 400, "invalid", "body"),
        ({"category": "CAT", "title": "A good title", "body": "x" * 20001}, 400, "invalid", "body"),
        ({"category": "CAT", "title": "A good title", "body": "body", "tags": ["a", "b", "c", "d", "e", "f"]},
         400, "invalid", "tags"),
        ({"category": "CAT", "body": "body"}, 422, "validation_error", "title"),
        ({"category": "CAT", "title": "A good title", "body": 5}, 422, "validation_error", "body"),
    ],
)
def test_create_topic_bad_input_writes_nothing(member_client, category, payload, status, code, field):
    if payload["category"] == "CAT":
        payload["category"] = category.slug
    before = snapshot()
    assert_error(*call(member_client, "post", "/topics", payload), status, code, field)
    assert snapshot() == before


def test_create_topic_in_private_or_restricted_category_refused(member_client, member, private_category):
    restricted = CategoryFactory(post_group=Group.objects.create(name="Writers"))
    before = snapshot()
    for category in (private_category.pk, private_category.slug, restricted.pk):
        assert_error(*call(member_client, "post", "/topics",
                           {"category": category, "title": "A good title", "body": "body"}), 403, "forbidden")
    assert snapshot() == before


def test_malformed_json_gets_the_envelope(member_client, category):
    before = snapshot()
    response, body = call(member_client, "post", "/topics", '{"category": 1, "title": ')
    assert_error(response, body, 400, "bad_request")
    assert snapshot() == before


def test_rate_limited_write_has_retry_after(member_client, category, settings):
    settings.HUOLI = {**settings.HUOLI, "RATE_LIMITS": {**settings.HUOLI["RATE_LIMITS"], "topic": (1, 3600)}}
    response, _body = call(member_client, "post", "/topics", {"category": category.pk, "title": "第一个话题", "body": "x1"})
    assert response.status_code == 201
    before = snapshot()
    response, body = call(member_client, "post", "/topics", {"category": category.pk, "title": "第二个话题", "body": "x2"})
    assert_error(response, body, 429, "rate_limited")
    assert 0 < int(response["Retry-After"]) <= 3600
    assert snapshot() == before


# --- replies -----------------------------------------------------------------------------------
def test_reply_and_reply_to(other_client, other_member, member, topic, django_capture_on_commit_callbacks):
    opening = topic.posts.get()
    with django_capture_on_commit_callbacks(execute=True):
        response, body = call(other_client, "post", f"/topics/{topic.pk}/posts",
                              {"body": "同意 **楼主**", "reply_to": opening.pk})
    assert response.status_code == 201, body
    assert body["number"] == 2 and body["author"]["username"] == other_member.username
    assert "<strong>楼主</strong>" in body["html"] and body["source"] == "同意 **楼主**"
    assert body["reply_to"] == {"id": opening.pk, "number": 1, "author": body["reply_to"]["author"]}
    assert body["reply_to"]["author"]["username"] == member.username
    post = Post.objects.get(pk=body["id"])
    assert post.reply_to == opening and post.author == other_member
    topic.refresh_from_db()
    assert topic.reply_count == 1
    assert Notification.objects.filter(recipient=member, post=post, kind="reply").exists()


def test_reply_errors_write_nothing(member_client, other_client, moderator, member, category, topic):
    other_topic = TopicFactory.create(author=member, category=category, title="另一个话题")
    before = snapshot()
    assert_error(*call(other_client, "post", f"/topics/{topic.pk}/posts", {"body": ""}), 400, "invalid", "body")
    assert_error(*call(other_client, "post", f"/topics/{topic.pk}/posts", {"body": "x" * 20001}), 400, "invalid",
                 "body")
    assert_error(*call(other_client, "post", f"/topics/{topic.pk}/posts",
                       {"body": "reply", "reply_to": other_topic.posts.get().pk}), 400, "invalid", "reply_to")
    assert_error(*call(other_client, "post", "/topics/987654/posts", {"body": "reply"}), 404, "not_found")
    assert_error(*call(other_client, "post", f"/topics/{topic.pk}/posts", {}), 422, "validation_error", "body")
    assert snapshot() == before

    registry.run("topic", "lock", actor=moderator, obj=topic)
    before = snapshot()
    assert_error(*call(other_client, "post", f"/topics/{topic.pk}/posts", {"body": "还能回复吗"}), 403, "locked")
    assert snapshot() == before


def test_reply_in_private_category_refused(other_client, private_category):
    insider = UserFactory()
    insider.groups.add(private_category.read_group)
    secret_topic = TopicFactory.create(author=insider, category=private_category)
    before = snapshot()
    assert_error(*call(other_client, "post", f"/topics/{secret_topic.pk}/posts", {"body": "let me in"}), 403,
                 "forbidden")
    assert snapshot() == before


# --- edit, vote, delete, bookmark --------------------------------------------------------------
def test_edit_own_post_and_title(member_client, member, topic):
    opening = topic.posts.get()
    response, body = call(member_client, "patch", f"/posts/{opening.pk}",
                          {"body": "修改后的 _正文_", "title": "修改后的标题", "reason": "typo"})
    assert response.status_code == 200, body
    assert "<em>正文</em>" in body["html"] and body["edit_count"] == 1 and body["edited_at"]
    topic.refresh_from_db()
    assert topic.title == "修改后的标题"
    revision = PostRevision.objects.get(post=opening)
    assert revision.source == "第一帖 **粗体**" and revision.reason == "typo" and revision.title == "关于 API 的讨论"

    response, body = call(member_client, "patch", f"/posts/{opening.pk}", {"title": "只改标题也可以"})
    assert response.status_code == 200
    topic.refresh_from_db()
    assert topic.title == "只改标题也可以" and body["source"] == "修改后的 _正文_"


def test_edit_errors_write_nothing(member_client, other_client, topic):
    opening = topic.posts.get()
    before = snapshot()
    assert_error(*call(other_client, "patch", f"/posts/{opening.pk}", {"body": "hijacked"}), 403, "not_author")
    assert_error(*call(member_client, "patch", f"/posts/{opening.pk}", {"body": ""}), 400, "invalid", "body")
    assert_error(*call(member_client, "patch", f"/posts/{opening.pk}", {"body": "ok body", "title": ""}), 400,
                 "invalid", "title")
    assert_error(*call(member_client, "patch", f"/posts/{opening.pk}", {"title": "x" * 121}), 400, "invalid", "title")
    assert_error(*call(member_client, "patch", "/posts/987654", {"body": "nothing"}), 404, "not_found")
    assert snapshot() == before


def test_vote_switch_withdraw_and_conflicts(other_client, member_client, member, topic):
    post = topic.posts.get()
    response, body = call(other_client, "post", f"/posts/{post.pk}/vote", {"value": 1})
    assert response.status_code == 200
    assert body == {"post_id": post.pk, "value": 1, "upvotes": 1, "downvotes": 0, "score": 1}
    member.refresh_from_db()
    assert member.upvotes_received == 1

    before = snapshot()
    assert_error(*call(other_client, "post", f"/posts/{post.pk}/vote", {"value": 1}), 409, "already_voted")
    assert_error(*call(member_client, "post", f"/posts/{post.pk}/vote", {"value": 1}), 403, "own_post")
    assert_error(*call(other_client, "post", f"/posts/{post.pk}/vote", {"value": 5}), 400, "invalid", "value")
    assert_error(*call(other_client, "post", f"/posts/{post.pk}/vote", {"value": "up"}), 422, "validation_error",
                 "value")
    assert_error(*call(other_client, "post", "/posts/987654/vote", {"value": 1}), 404, "not_found")
    assert snapshot() == before

    response, body = call(other_client, "post", f"/posts/{post.pk}/vote", {"value": -1})
    assert (body["score"], body["upvotes"], body["downvotes"]) == (-1, 0, 1)
    response, body = call(other_client, "post", f"/posts/{post.pk}/vote", {"value": 0})
    assert body["score"] == 0 and not PostVote.objects.exists()
    topic.refresh_from_db()
    assert topic.vote_score == 0


def test_delete_post(other_client, member_client, other_member, anon, topic):
    reply = services.post_create(actor=other_member, topic=topic, body="我会删掉这条 private")
    before = snapshot()
    assert_error(*call(member_client, "delete", f"/posts/{reply.pk}"), 403, "forbidden")
    assert snapshot() == before

    response, body = call(other_client, "delete", f"/posts/{reply.pk}")
    assert response.status_code == 204 and body is None
    reply.refresh_from_db()
    assert reply.is_deleted and reply.deleted_by == other_member
    topic.refresh_from_db()
    assert topic.reply_count == 0

    before = snapshot()
    assert_error(*call(other_client, "delete", f"/posts/{reply.pk}"), 409, "conflict")
    assert snapshot() == before
    response, body = call(anon, "get", f"/topics/{topic.pk}/posts")
    assert body["results"][1]["placeholder"] is True and "private" not in json.dumps(body["results"][1])


def test_bookmark_toggle(other_client, other_member, topic, private_category):
    post = topic.posts.get()
    response, body = call(other_client, "post", f"/posts/{post.pk}/bookmark")
    assert response.status_code == 200 and body == {"post_id": post.pk, "bookmarked": True}
    assert Bookmark.objects.filter(user=other_member, post=post).exists()
    response, body = call(other_client, "post", f"/posts/{post.pk}/bookmark")
    assert body["bookmarked"] is False and not Bookmark.objects.exists()

    insider = UserFactory()
    insider.groups.add(private_category.read_group)
    secret_post = TopicFactory.create(author=insider, category=private_category).posts.get()
    assert_error(*call(other_client, "post", f"/posts/{secret_post.pk}/bookmark"), 403, "forbidden")
    assert not Bookmark.objects.exists()


# --- notifications and me ----------------------------------------------------------------------
def test_notifications_list_and_mark_read(member_client, member, other_member, topic,
                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.post_create(actor=other_member, topic=topic, body="一条回复")
        services.post_vote(actor=other_member, post=topic.posts.get(number=1), value=1)
    response, body = call(member_client, "get", "/notifications")
    assert response.status_code == 200
    assert body["unread"] == 2 and body["count"] == 2 and body["page"] == 1
    assert {n["kind"] for n in body["results"]} == {"reply", "vote"}
    reply = next(n for n in body["results"] if n["kind"] == "reply")
    assert reply["actor"]["username"] == other_member.username and reply["topic"]["id"] == topic.pk
    assert reply["is_read"] is False

    response, body = call(member_client, "post", "/notifications/read", {"ids": [reply["id"]]})
    assert response.status_code == 200 and body == {"marked": 1, "unread": 1}
    response, body = call(member_client, "post", "/notifications/read")
    assert body == {"marked": 1, "unread": 0}
    assert not Notification.objects.filter(recipient=member, read_at__isnull=True).exists()


def test_notifications_are_private(other_client, member, other_member, topic, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.post_create(actor=other_member, topic=topic, body="一条回复")
    note = Notification.objects.get(recipient=member)
    response, body = call(other_client, "post", "/notifications/read", {"ids": [note.pk]})
    assert body["marked"] == 0
    note.refresh_from_db()
    assert note.read_at is None
    response, body = call(other_client, "get", "/notifications")
    assert body["count"] == 0 and body["results"] == []


def test_me(member_client, member, anon):
    response, body = call(member_client, "get", "/me")
    assert response.status_code == 200
    assert body["username"] == member.username and body["email"] == member.email
    assert body["is_moderator"] is False and body["unread_notifications"] == 0
    assert_error(*call(anon, "get", "/me"), 401, "unauthorized")
    assert_error(*call(anon, "get", "/notifications"), 401, "unauthorized")


def test_anonymous_writes_refused(anon, category, topic):
    before = snapshot()
    post = topic.posts.get()
    assert_error(*call(anon, "post", "/topics", {"category": category.pk, "title": "A good title", "body": "b"}),
                 401, "unauthorized")
    assert_error(*call(anon, "post", f"/topics/{topic.pk}/posts", {"body": "b"}), 401, "unauthorized")
    assert_error(*call(anon, "post", f"/posts/{post.pk}/vote", {"value": 1}), 401, "unauthorized")
    assert_error(*call(anon, "delete", f"/posts/{post.pk}"), 401, "unauthorized")
    assert snapshot() == before


# --- session + CSRF ----------------------------------------------------------------------------
def test_session_writes_need_csrf(member, category):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    payload = {"category": category.pk, "title": "需要 CSRF 的话题", "body": "正文"}
    response, body = call(client, "get", "/me")
    assert response.status_code == 200  # reads need no CSRF token

    before = snapshot()
    assert_error(*call(client, "post", "/topics", payload), 403, "csrf_failed")
    assert snapshot() == before

    csrf = _get_new_csrf_string()
    client.cookies["csrftoken"] = csrf
    response, body = call(client, "post", "/topics", payload, HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 201, body
    assert Topic.objects.filter(title="需要 CSRF 的话题", author=member).exists()


# --- tokens ------------------------------------------------------------------------------------
def test_token_is_stored_hashed_and_authenticates(member, category):
    token, secret = tokens.api_token_create(actor=member, name="  my   script ")
    assert token.name == "my script"
    assert secret.startswith("hl_") and len(secret) > 40
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret[3:11] == token.key_prefix
    stored = ApiToken.objects.filter(pk=token.pk).values()[0]
    assert not any(secret in str(value) for value in stored.values())

    client = Client(enforce_csrf_checks=True)  # a token needs no CSRF token
    response, body = call(client, "get", "/me", **bearer(secret))
    assert response.status_code == 200 and body["username"] == member.username
    response, body = call(client, "post", "/topics", {"category": category.pk, "title": "用令牌发帖", "body": "正文"},
                          **bearer(secret))
    assert response.status_code == 201, body
    assert Topic.objects.get(pk=body["id"]).author == member
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_unknown_and_inactive_tokens_refused(member, other_member, category):
    token, secret = tokens.api_token_create(actor=member, name="phone")
    with pytest.raises(NotAllowed):
        tokens.api_token_revoke(actor=other_member, token=token)
    assert tokens.api_token_revoke(actor=member, token=token) is True
    assert not ApiToken.objects.exists()
    client = Client()
    for header in (bearer(secret), bearer("hl_not-a-real-token"), bearer("")):
        response, body = call(client, "get", "/me", **header)
        assert_error(response, body, 401, "unauthorized")
        assert response["WWW-Authenticate"].startswith("Bearer")
    # a bad token on a public read is refused too, not treated as a guest
    assert_error(*call(client, "get", "/categories", **bearer(secret)), 401, "unauthorized")
    before = snapshot()
    assert_error(*call(client, "post", "/topics", {"category": category.pk, "title": "A good title", "body": "b"},
                       **bearer(secret)), 401, "unauthorized")
    assert snapshot() == before

    _token, secret = tokens.api_token_create(actor=other_member, name="laptop")
    other_member.is_active = False
    other_member.save(update_fields=["is_active"])
    assert_error(*call(client, "get", "/me", **bearer(secret)), 401, "unauthorized")


def test_token_last_used_written_at_most_once_a_minute(member):
    token, secret = tokens.api_token_create(actor=member, name="cli")
    client = Client()
    call(client, "get", "/me", **bearer(secret))
    token.refresh_from_db()
    first = token.last_used_at
    call(client, "get", "/me", **bearer(secret))
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(seconds=61))
    call(client, "get", "/me", **bearer(secret))
    token.refresh_from_db()
    assert timezone.now() - token.last_used_at < timedelta(seconds=5)


def test_token_create_rejects_bad_names(member):
    for name, field in (("", "name"), ("   ", "name"), ("x" * 61, "name")):
        with pytest.raises(InvalidInput) as exc:
            tokens.api_token_create(actor=member, name=name)
        assert exc.value.field == field
    for i in range(tokens.MAX_TOKENS_PER_MEMBER):
        tokens.api_token_create(actor=member, name=f"t{i}")
    with pytest.raises(InvalidInput):
        tokens.api_token_create(actor=member, name="one too many")
    assert ApiToken.objects.count() == tokens.MAX_TOKENS_PER_MEMBER


# --- the token page ----------------------------------------------------------------------------
def test_token_page_needs_login(anon):
    response = anon.get("/settings/tokens/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = anon.post("/settings/tokens/", {"name": "x"})
    assert response.status_code == 302 and not ApiToken.objects.exists()


def test_token_page_create_shows_secret_once_and_revokes(member, other_member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    page = client.get("/settings/tokens/")
    assert page.status_code == 200
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)

    response = client.post("/settings/tokens/", {"name": "我的脚本"})
    assert response.status_code == 403 and not ApiToken.objects.exists()  # no CSRF token

    response = client.post("/settings/tokens/", {"name": "", "csrfmiddlewaretoken": csrf})
    assert response.status_code == 400 and not ApiToken.objects.exists()
    assert 'class="errorlist"' in response.content.decode()

    response = client.post("/settings/tokens/", {"name": "我的脚本", "csrfmiddlewaretoken": csrf})
    assert response.status_code == 200
    html = response.content.decode()
    secret = re.search(r'value="(hl_[^"]+)"', html).group(1)
    token = ApiToken.objects.get(user=member)
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest() and token.name == "我的脚本"
    assert call(Client(), "get", "/me", **bearer(secret))[1]["username"] == member.username

    listing = client.get("/settings/tokens/").content.decode()
    assert secret not in listing and f"hl_{token.key_prefix}" in listing and "我的脚本" in listing

    others, _secret = tokens.api_token_create(actor=other_member, name="not yours")
    response = client.post(f"/settings/tokens/{others.pk}/revoke/", {"csrfmiddlewaretoken": csrf})
    assert response.status_code == 404 and ApiToken.objects.filter(pk=others.pk).exists()
    assert client.get(f"/settings/tokens/{token.pk}/revoke/").status_code == 405

    response = client.post(f"/settings/tokens/{token.pk}/revoke/", {"csrfmiddlewaretoken": csrf})
    assert response.status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert_error(*call(Client(), "get", "/me", **bearer(secret)), 401, "unauthorized")


# --- schema and docs ---------------------------------------------------------------------------
EXPECTED_OPERATIONS = {
    ("get", "/api/v1/categories"), ("get", "/api/v1/categories/{slug}/topics"), ("get", "/api/v1/topics/{topic_id}"),
    ("get", "/api/v1/topics/{topic_id}/posts"), ("post", "/api/v1/topics"), ("post", "/api/v1/topics/{topic_id}/posts"),
    ("patch", "/api/v1/posts/{post_id}"), ("post", "/api/v1/posts/{post_id}/vote"), ("delete", "/api/v1/posts/{post_id}"),
    ("post", "/api/v1/posts/{post_id}/bookmark"), ("get", "/api/v1/notifications"),
    ("post", "/api/v1/notifications/read"), ("get", "/api/v1/me"),
}


def test_openapi_schema_lists_every_operation_with_responses(anon):
    response = anon.get(f"{API}/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    operations = {(method, path) for path, item in schema["paths"].items() for method in item}
    assert EXPECTED_OPERATIONS <= operations
    for method, path in EXPECTED_OPERATIONS:
        op = schema["paths"][path][method]
        success = [code for code in op["responses"] if code.startswith("2")]
        assert len(success) == 1, (method, path)
        if success[0] != "204":
            assert "$ref" in json.dumps(op["responses"][success[0]]["content"]), (method, path)
        for code in (c for c in op["responses"] if c.startswith("4")):
            assert op["responses"][code]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
        assert "401" in op["responses"]
        securities = op["security"]
        assert {"TokenAuth": []} in securities and {"SessionAuth": []} in securities
        assert ({} in securities) == (method == "get" and path not in ("/api/v1/notifications", "/api/v1/me"))
    assert schema["components"]["securitySchemes"]["TokenAuth"] == {
        "type": "http", "scheme": "bearer", "description": "A personal API token created at /settings/tokens/."}


def test_docs_page_uses_only_local_assets(anon):
    response = anon.get(f"{API}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert not re.search(r"https?://|//cdn|cdn\.jsdelivr|unpkg", html, re.IGNORECASE), html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), asset
    settings_json = re.search(r'<script type="application/json" id="swagger-settings">(.*?)</script>', html, re.S)
    assert json.loads(settings_json.group(1))["url"] == f"{API}/openapi.json"


def test_docs_page_gives_try_it_out_the_csrf_token_for_session_writes(member, category):
    """Swagger's "Try it out" as a signed-in member: the page carries the CSRF token that
    swagger-ui-init.js puts into X-CSRFToken, and that token passes the session write check."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    html = client.get(f"{API}/docs").content.decode()
    assert 'data-api-csrf="true"' in html
    token = re.search(r'data-csrf-token="([^"]+)"', html).group(1)
    payload = {"category": category.pk, "title": "从文档页发的话题", "body": "正文"}
    response, body = call(client, "post", "/topics", payload, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201, body


# --- query counts ------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["guest", "token", "session"])
def test_topic_posts_query_count_is_fixed(who, member, other_member, category, django_assert_num_queries, settings):
    settings.HUOLI = {**settings.HUOLI, "POSTS_PER_PAGE": 50}
    expected = {"guest": 2, "token": 3, "session": 3}[who]
    client, extra = Client(), {}
    if who == "token":
        extra = bearer(tokens.api_token_create(actor=member, name="bench")[1])
    elif who == "session":
        client.force_login(member)
    topic = TopicFactory.create(author=member, category=category)
    first = topic.posts.get()
    for n in (5, 10):
        while Post.objects.filter(topic=topic).count() < n:
            post = services.post_create(actor=other_member, topic=topic, body="reply", reply_to=first)
            services.post_vote(actor=member, post=post, value=1)
        call(client, "get", f"/topics/{topic.pk}/posts", **extra)  # warm up: last_used_at, session
        with django_assert_num_queries(expected):
            response, body = call(client, "get", f"/topics/{topic.pk}/posts", **extra)
        assert response.status_code == 200 and len(body["results"]) == n
        assert all(p["reply_to"]["number"] == 1 for p in body["results"][1:])
        if who != "guest":
            assert body["results"][-1]["my_vote"] == 1


def test_category_topics_query_count_is_fixed(anon, member, category, django_assert_num_queries):
    for n in (5, 10):
        while Topic.objects.filter(category=category).count() < n:
            TopicFactory.create(author=member, category=category, tags=["标签"])
        # the category, the page of topics with their authors and last posters, their tags
        with django_assert_num_queries(3):
            response, body = call(anon, "get", f"/categories/{category.slug}/topics")
        assert response.status_code == 200 and body["count"] == n and len(body["results"]) == n
        assert all(t["tags"] == [{"name": "标签", "slug": "标签"}] for t in body["results"])

"""The forum's HTML pages: what a reader sees, in both languages; bad input shows its message with the
right status and keeps what was typed; guests are sent to sign in; private categories stay private;
htmx fragments and plain forms both work; the anonymous fragment cache is never stale."""

import io
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from forum import services
from forum.models import Bookmark, Notification, Post, PostVote, Topic, TopicSubscription
from forum.moderation import registry
from tests.factories import CategoryFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def client(client):
    """Messages are asserted in English (the source language), whatever the catalogues hold."""
    set_language(client, "en")
    return client


@pytest.fixture
def topic(member, category):
    return TopicFactory.create(author=member, category=category, title="Welcome to Huoli 活力",
                               body="Opening **post** body", tags=["intro"])


@pytest.fixture
def reply(topic, other_member):
    return services.post_create(actor=other_member, topic=topic, body="A friendly reply")


def html(response):
    return response.content.decode()


def set_language(client, code):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code


LANG_ATTR = {"zh-hans": 'lang="zh-Hans"', "en": 'lang="en"'}


# --- every page renders, in both languages ---------------------------------------------------------
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_public_pages_render(client, topic, reply, member, lang):
    set_language(client, lang)
    pages = {
        reverse("forum:index"): topic.title,
        reverse("forum:latest"): topic.title,
        topic.category.get_absolute_url(): topic.title,
        topic.get_absolute_url(): "A friendly reply",
        reverse("forum:member", args=[member.username]): member.name,
        reverse("account_login"): 'name="password"',
        reverse("account_signup"): 'name="email"',
        reverse("account_reset_password"): 'name="email"',
    }
    for url, expected in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        body = html(response)
        assert LANG_ATTR[lang] in body, url
        assert expected in body, url
        assert 'href="/lang/en/?next=' in body and 'href="/lang/zh-hans/?next=' in body, url
        assert 'href="#main"' in body and 'id="main"' in body, url


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_member_pages_render(client, topic, reply, member, lang):
    set_language(client, lang)
    client.force_login(member)
    post = topic.posts.get(number=1)
    services.bookmark_toggle(actor=member, post=reply)
    own_reply = services.post_create(actor=member, topic=topic, body="my own reply")
    pages = {
        reverse("forum:topic_new"): 'name="title"',
        reverse("forum:post_edit", args=[post.pk]): "Opening **post** body",
        reverse("forum:post_delete", args=[own_reply.pk]): 'method="post"',
        reverse("forum:profile_edit"): 'name="display_name"',
        reverse("forum:notifications"): 'class="empty"',
        reverse("forum:bookmarks"): topic.title,
        topic.get_absolute_url(): 'name="body"',
        reverse("account_email"): member.email,
        reverse("account_logout"): 'method="post"',
    }
    for url, expected in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        body = html(response)
        assert LANG_ATTR[lang] in body, url
        assert expected in body, url


def test_notifications_page_lists_the_reply(client, topic, member, other_member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.post_create(actor=other_member, topic=topic, body="Hello there")
    client.force_login(member)
    body = html(client.get(reverse("forum:notifications")))
    assert topic.title in body and other_member.name in body
    # the page marks what it shows read (issue 15): the header badge it renders already says 0
    assert '<span class="badge header-count" hidden><span data-live-unread>0</span>' in body
    response = client.post(reverse("forum:notifications"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=member, read_at__isnull=True).exists()
    index = html(client.get(reverse("forum:index")))
    assert '<span class="badge header-count" hidden><span data-live-unread>0</span>' in index  # no unread: hidden


def test_language_switcher_switches(topic):
    client = Client()
    assert LANG_ATTR["zh-hans"] in html(client.get("/"))
    response = client.get("/lang/en/", {"next": topic.get_absolute_url()})
    assert response.status_code == 302 and response["Location"] == topic.get_absolute_url()
    body = html(client.get(topic.get_absolute_url()))
    assert LANG_ATTR["en"] in body and 'hreflang="en" lang="en" aria-current="true">English</a>' in body
    client.get("/lang/zh-hans/", {"next": "/"})
    assert LANG_ATTR["zh-hans"] in html(client.get("/"))
    # Django's POST switch (/i18n/setlang/) still works for whoever posts to it
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert LANG_ATTR["en"] in html(client.get("/"))


def test_language_switcher_needs_csrf(topic):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 403


def test_writes_need_csrf(member, topic):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    response = strict.post(reverse("forum:topic_reply", args=[topic.pk]), {"body": "no token"})
    assert response.status_code == 403
    assert topic.posts.count() == 1


# --- topic page ----------------------------------------------------------------------------------
def test_topic_short_and_post_links_redirect_to_page_and_anchor(client, topic, member):
    for i in range(24):
        services.post_create(actor=UserFactory(), topic=topic, body=f"reply number {i}")
    post = topic.posts.get(number=22)
    assert client.get(reverse("forum:topic_short", args=[topic.pk]))["Location"] == topic.get_absolute_url()
    response = client.get(reverse("forum:post", args=[post.pk]))
    assert response["Location"] == f"{topic.get_absolute_url()}?page=2#p22"
    page2 = html(client.get(topic.get_absolute_url() + "?page=2"))
    assert 'id="p22"' in page2 and 'id="p1"' not in page2
    assert 'aria-current="page">2<' in page2
    wrong_slug = reverse("forum:topic", args=[topic.pk, "old-slug"]) + "?page=2"
    redirected = client.get(wrong_slug)
    assert redirected.status_code == 301 and redirected["Location"] == topic.get_absolute_url() + "?page=2"


def test_topic_unread_jumps_to_first_unread(client, topic, member, other_member):
    client.force_login(other_member)
    client.get(topic.get_absolute_url())  # reads post 1
    for i in range(3):
        services.post_create(actor=member, topic=topic, body=f"new {i}")
    response = client.get(reverse("forum:topic_unread", args=[topic.pk]))
    assert response["Location"] == f"{topic.get_absolute_url()}#p2"


def test_topic_view_is_counted(client, topic, settings):
    settings.HUOLI = {**settings.HUOLI, "VIEW_COUNT_BATCH": 1}
    client.get(topic.get_absolute_url())
    client.get(topic.get_absolute_url())
    topic.refresh_from_db()
    assert topic.view_count == 2


def test_topic_views_are_written_in_batches(client, topic, settings):
    settings.HUOLI = {**settings.HUOLI, "VIEW_COUNT_BATCH": 3}
    for expected in (0, 0, 3, 3, 3, 6):
        client.get(topic.get_absolute_url())
        topic.refresh_from_db()
        assert topic.view_count == expected


def test_reply_posts_and_redirects_to_the_new_post(client, topic, other_member):
    client.force_login(other_member)
    response = client.post(reverse("forum:topic_reply", args=[topic.pk]), {"body": "My **answer**"})
    assert response.status_code == 302 and response["Location"].endswith("#p2")
    assert "<strong>answer</strong>" in html(client.get(response["Location"]))


def test_reply_too_long_keeps_input(client, topic, other_member):
    client.force_login(other_member)
    body = "长" * (settings.HUOLI["BODY_MAX_LENGTH"] + 1)
    response = client.post(reverse("forum:topic_reply", args=[topic.pk]), {"body": body})
    assert response.status_code == 400
    page = html(response)
    assert "The message is too long" in page
    assert body in page  # nothing typed is lost
    assert topic.posts.count() == 1


def test_reply_to_locked_topic_shows_message_and_keeps_input(client, topic, other_member, moderator):
    registry.run("topic", "lock", actor=moderator, obj=topic)
    client.force_login(other_member)
    page = html(client.get(topic.get_absolute_url()))
    assert "This topic is locked: no new replies." in page and 'name="body"' not in page
    response = client.post(reverse("forum:topic_reply", args=[topic.pk]), {"body": "Let me in"})
    assert response.status_code == 403
    page = html(response)
    assert "This topic is locked: no new replies." in page
    assert "Let me in" in page
    assert topic.posts.count() == 1


def test_reply_rate_limited_is_429_with_retry_after(client, topic, other_member, settings):
    settings.HUOLI = {**settings.HUOLI, "RATE_LIMITS": {**settings.HUOLI["RATE_LIMITS"], "post": (1, 3600)}}
    client.force_login(other_member)
    assert client.post(reverse("forum:topic_reply", args=[topic.pk]), {"body": "first"}).status_code == 302
    response = client.post(reverse("forum:topic_reply", args=[topic.pk]), {"body": "second one"})
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert "You are doing that too often" in html(response) and "second one" in html(response)


def test_reply_and_quote_prefill(client, topic, reply, member):
    client.force_login(member)
    page = html(client.get(topic.get_absolute_url() + f"?quote={reply.pk}"))
    assert f'name="reply_to" value="{reply.pk}"' in page
    assert "&gt; A friendly reply" in page
    response = client.post(reverse("forum:topic_reply", args=[topic.pk]),
                           {"body": "Agreed", "reply_to": str(reply.pk)})
    assert response.status_code == 302
    assert Post.objects.get(topic=topic, number=3).reply_to_id == reply.pk
    assert "In reply to" in html(client.get(topic.get_absolute_url()))


def test_hidden_post_is_a_placeholder_except_for_moderators(client, topic, reply, moderator, member):
    registry.run("post", "hide", actor=moderator, obj=reply)
    page = html(client.get(topic.get_absolute_url()))
    assert "This post was hidden by a moderator." in page and "A friendly reply" not in page
    client.force_login(member)
    assert "A friendly reply" not in html(client.get(topic.get_absolute_url()))
    client.force_login(moderator)
    page = html(client.get(topic.get_absolute_url()))
    assert "A friendly reply" in page and "Hidden: only moderators see this post." in page


def test_moderator_locks_pins_hides_through_topic_moderate(client, topic, reply, moderator):
    client.force_login(moderator)
    url = reverse("forum:topic_moderate", args=[topic.pk])
    for action in ("lock", "pin"):
        assert client.post(url, {"action": action}).status_code == 302
    topic.refresh_from_db()
    assert topic.is_locked and topic.is_pinned
    assert client.post(url, {"action": "hide_post", "post": reply.pk}).status_code == 302
    reply.refresh_from_db()
    assert reply.is_hidden
    response = client.post(url, {"action": "explode"})
    assert response.status_code == 400 and "Unknown moderation action." in html(response)


def test_member_cannot_moderate(client, topic, other_member):
    client.force_login(other_member)
    response = client.post(reverse("forum:topic_moderate", args=[topic.pk]), {"action": "lock"})
    assert response.status_code == 403 and "Only moderators may do this." in html(response)
    topic.refresh_from_db()
    assert not topic.is_locked


def test_subscribe_and_unsubscribe(client, topic, other_member):
    client.force_login(other_member)
    url = reverse("forum:topic_subscribe", args=[topic.pk])
    client.post(url, {"subscribed": "1"})
    assert TopicSubscription.objects.filter(user=other_member, topic=topic).exists()
    assert "Unsubscribe" in html(client.get(topic.get_absolute_url()))
    client.post(url, {"subscribed": "0"})
    assert not TopicSubscription.objects.filter(user=other_member, topic=topic).exists()


# --- votes and bookmarks -------------------------------------------------------------------------
def test_vote_plain_form_then_twice_is_409_with_message(client, topic, other_member):
    post = topic.posts.get(number=1)
    client.force_login(other_member)
    url = reverse("forum:post_vote", args=[post.pk])
    response = client.post(url, {"value": "1"})
    assert response.status_code == 302 and response["Location"].endswith("#p1")
    page = html(client.get(response["Location"]))
    assert 'class="vote-btn vote-up" aria-pressed="true"' in page
    again = client.post(url, {"value": "1"})
    assert again.status_code == 409
    assert "You have already voted on this post." in html(again)
    assert PostVote.objects.filter(post=post).count() == 1
    post.refresh_from_db()
    assert post.score == 1


def test_vote_own_post_is_refused(client, topic, member):
    post = topic.posts.get(number=1)
    client.force_login(member)
    response = client.post(reverse("forum:post_vote", args=[post.pk]), {"value": "1"})
    assert response.status_code == 403
    assert "You cannot vote on your own post." in html(response)
    assert not PostVote.objects.exists()


def test_vote_htmx_swaps_fragment_and_toggles(client, topic, other_member):
    post = topic.posts.get(number=1)
    client.force_login(other_member)
    url = reverse("forum:post_vote", args=[post.pk])
    response = client.post(url, {"value": "1"}, HTTP_HX_REQUEST="true")
    fragment = html(response)
    assert response.status_code == 200 and "<html" not in fragment
    assert fragment.startswith(f'<div class="vote" id="vote-{post.pk}">')
    assert 'title="Score">1<' in fragment.replace("\n", "")
    assert 'name="value" value="0" class="vote-btn vote-up" aria-pressed="true"' in fragment
    withdrawn = html(client.post(url, {"value": "0"}, HTTP_HX_REQUEST="true"))
    assert 'title="Score">0<' in withdrawn
    assert 'name="value" value="1" class="vote-btn vote-up" aria-pressed="false"' in withdrawn
    switched = html(client.post(url, {"value": "-1"}, HTTP_HX_REQUEST="true"))
    assert 'title="Score">-1<' in switched and 'vote-down" aria-pressed="true"' in switched
    again = client.post(url, {"value": "-1"}, HTTP_HX_REQUEST="true")
    assert again.status_code == 409 and "You have already voted on this post." in html(again)
    assert "<html" not in html(again)


def test_bookmark_plain_and_htmx(client, topic, other_member):
    post = topic.posts.get(number=1)
    client.force_login(other_member)
    url = reverse("forum:post_bookmark", args=[post.pk])
    assert client.post(url).status_code == 302
    assert Bookmark.objects.filter(user=other_member, post=post).exists()
    fragment = html(client.post(url, HTTP_HX_REQUEST="true"))
    assert fragment.startswith(f'<form class="bookmark" id="bookmark-{post.pk}"') and 'aria-pressed="false"' in fragment
    assert not Bookmark.objects.filter(user=other_member, post=post).exists()


# --- guests --------------------------------------------------------------------------------------
def test_guest_writes_redirect_to_login(client, topic):
    post = topic.posts.get(number=1)
    login = reverse("account_login")
    cases = [
        ("post", reverse("forum:topic_reply", args=[topic.pk]), {"body": "hi"}),
        ("post", reverse("forum:post_vote", args=[post.pk]), {"value": "1"}),
        ("post", reverse("forum:post_bookmark", args=[post.pk]), {}),
        ("post", reverse("forum:topic_subscribe", args=[topic.pk]), {"subscribed": "1"}),
        ("post", reverse("forum:topic_moderate", args=[topic.pk]), {"action": "lock"}),
        ("get", reverse("forum:topic_new"), {}),
        ("post", reverse("forum:topic_new"), {"title": "x"}),
        ("get", reverse("forum:post_edit", args=[post.pk]), {}),
        ("get", reverse("forum:profile_edit"), {}),
        ("get", reverse("forum:notifications"), {}),
        ("get", reverse("forum:bookmarks"), {}),
    ]
    for method, url, data in cases:
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith(login + "?next="), url
    assert Post.objects.count() == 1 and not PostVote.objects.exists()
    htmx = client.post(reverse("forum:post_vote", args=[post.pk]), {"value": "1"}, HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"].startswith(login + "?next=")


def test_guest_sees_sign_in_to_reply_and_no_forms(client, topic):
    page = html(client.get(topic.get_absolute_url()))
    assert "Sign in to reply" in page
    main = page.split('<main', 1)[1]
    assert "csrfmiddlewaretoken" not in main  # cached fragments carry no CSRF token


# --- new topic, edit ------------------------------------------------------------------------------
def test_new_topic_created(client, member, category):
    client.force_login(member)
    response = client.post(reverse("forum:topic_new"), {"category": category.pk, "title": "A brand new topic",
                                                        "body": "Body of it", "tags": "运营, KOL"})
    topic = Topic.objects.get(title="A brand new topic")
    assert response.status_code == 302 and response["Location"] == topic.get_absolute_url()
    assert sorted(t.name for t in topic.tags.all()) == ["KOL", "运营"]


def test_new_topic_empty_title_keeps_input(client, member, category):
    client.force_login(member)
    response = client.post(reverse("forum:topic_new"), {"category": category.pk, "title": "  ",
                                                        "body": "My carefully written body", "tags": "keep, me"})
    assert response.status_code == 400
    page = html(response)
    assert "The title cannot be empty." in page
    assert "My carefully written body" in page and 'value="keep, me"' in page
    assert re.search(rf'<option value="{category.pk}" selected>', page)
    assert not Topic.objects.exists()


def test_new_topic_unknown_category(client, member):
    client.force_login(member)
    response = client.post(reverse("forum:topic_new"), {"category": "", "title": "A fine title", "body": "Body"})
    assert response.status_code == 400 and "Unknown category." in html(response)
    assert "A fine title" in html(response)


def test_new_topic_in_category_member_may_not_post_in(client, member):
    staff_only = CategoryFactory(post_group=Group.objects.get(name="Moderators"))
    client.force_login(member)
    page = html(client.get(reverse("forum:topic_new")))
    assert f'<option value="{staff_only.pk}"' not in page
    response = client.post(reverse("forum:topic_new"), {"category": staff_only.pk, "title": "Sneaky topic",
                                                        "body": "Body"})
    assert response.status_code == 403 and "You may not start topics in" in html(response)
    assert not Topic.objects.exists()


def test_edit_own_opening_post_with_title_and_reason(client, topic, member):
    post = topic.posts.get(number=1)
    client.force_login(member)
    response = client.post(reverse("forum:post_edit", args=[post.pk]),
                           {"title": "A better title", "body": "Better body", "reason": "typo"})
    assert response.status_code == 302
    topic.refresh_from_db()
    post.refresh_from_db()
    assert topic.title == "A better title" and post.source == "Better body"
    assert post.revisions.get().reason == "typo"


def test_editing_someone_elses_post_is_403(client, topic, other_member):
    post = topic.posts.get(number=1)
    client.force_login(other_member)
    response = client.get(reverse("forum:post_edit", args=[post.pk]))
    assert response.status_code == 403 and "You may only edit your own posts." in html(response)
    response = client.post(reverse("forum:post_edit", args=[post.pk]), {"title": "Hijacked", "body": "Mine now"})
    assert response.status_code == 403
    assert "You may only edit your own posts." in html(response) and "Mine now" in html(response)
    post.refresh_from_db()
    assert post.source == "Opening **post** body"


def test_edit_link_only_for_who_may(client, topic, reply, member, other_member):
    client.force_login(other_member)
    page = html(client.get(topic.get_absolute_url()))
    assert reverse("forum:post_edit", args=[reply.pk]) in page
    assert reverse("forum:post_edit", args=[topic.posts.get(number=1).pk]) not in page


def test_delete_own_reply(client, topic, reply, other_member):
    client.force_login(other_member)
    response = client.post(reverse("forum:post_delete", args=[reply.pk]))
    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.is_deleted
    assert "This post was deleted." in html(client.get(topic.get_absolute_url()))


# --- private categories ---------------------------------------------------------------------------
def test_private_category_is_closed_to_outsiders(client, member, other_member):
    insiders = Group.objects.create(name="Insiders")
    private = CategoryFactory(read_group=insiders)
    member.groups.add(insiders)
    secret = TopicFactory.create(author=member, category=private, title="Secret plans here")
    for who in (None, other_member):
        c = Client()
        if who:
            c.force_login(who)
        for url in (private.get_absolute_url(), secret.get_absolute_url()):
            response = c.get(url)
            assert response.status_code in (403, 404), url
            assert "Secret plans here" not in html(response)
        assert "Secret plans here" not in html(c.get(reverse("forum:index")))
        assert "Secret plans here" not in html(c.get(reverse("forum:latest")))
    client.force_login(member)
    assert client.get(secret.get_absolute_url()).status_code == 200
    assert "Secret plans here" in html(client.get(private.get_absolute_url()))


# --- category lists -------------------------------------------------------------------------------
def test_category_sorts_paginates_and_filters_by_tag(client, category):
    author = UserFactory()
    topics = [TopicFactory.create(author=UserFactory(), category=category, title=f"Listed topic {i:02d}",
                                  tags=["even"] if i % 2 == 0 else []) for i in range(22)]
    services.post_vote(actor=author, post=topics[3].posts.get(number=1), value=1)
    url = category.get_absolute_url()
    page1 = html(client.get(url))
    assert page1.count('class="topic-row') == 20 and "Listed topic 21" in page1 and 'rel="next" href="?page=2"' in page1
    page2 = html(client.get(url + "?page=2"))
    assert page2.count('class="topic-row') == 2 and "Listed topic 00" in page2
    top = html(client.get(url + "?sort=top"))
    assert top.index("Listed topic 03") < top.index("Listed topic 21")
    assert 'href="?sort=top" aria-current="page"' in top
    tagged = html(client.get(url + "?tag=even"))
    assert tagged.count('class="topic-row') == 11 and "Listed topic 01" not in tagged


# --- members --------------------------------------------------------------------------------------
def test_member_profile_shows_stats_and_recent_posts(client, topic, reply, member, other_member):
    services.post_vote(actor=other_member, post=topic.posts.get(number=1), value=1)
    page = html(client.get(reverse("forum:member", args=[member.username])))
    assert member.name in page and f"@{member.username}" in page
    assert re.search(r"<dt>Upvotes received</dt><dd>1</dd>", page)
    assert re.search(r"<dt>Topics</dt><dd>1</dd>", page)
    assert topic.title in page


def _png(size=64, color=(200, 50, 50)):
    buf = io.BytesIO()
    Image.new("RGB", (size, size), color).save(buf, format="PNG")
    return SimpleUploadedFile("me.png", buf.getvalue(), content_type="image/png")


def test_profile_edit_updates_and_uploads_avatar(client, member):
    client.force_login(member)
    response = client.post(reverse("forum:profile_edit"),
                           {"display_name": "New Name", "bio": "Hello, I run things.", "avatar": _png()})
    assert response.status_code == 302 and response["Location"] == member.get_absolute_url()
    member.refresh_from_db()
    assert member.display_name == "New Name" and member.avatar
    page = html(client.get(member.get_absolute_url()))
    assert member.avatar.url in page and "Hello, I run things." in page
    client.post(reverse("forum:profile_edit"), {"display_name": "New Name", "bio": "", "remove_avatar": "on"})
    member.refresh_from_db()
    assert not member.avatar


def test_profile_edit_bad_avatar_keeps_input(client, member):
    client.force_login(member)
    bad = SimpleUploadedFile("evil.png", b"<svg onload=alert(1)>", content_type="image/png")
    response = client.post(reverse("forum:profile_edit"),
                           {"display_name": "Kept Name", "bio": "Kept bio", "avatar": bad})
    assert response.status_code == 400
    page = html(response)
    assert "That file is not an image we can read" in page
    assert 'value="Kept Name"' in page and "Kept bio" in page
    member.refresh_from_db()
    assert member.display_name != "Kept Name"


def test_profile_edit_too_long_bio(client, member):
    client.force_login(member)
    response = client.post(reverse("forum:profile_edit"), {"display_name": "", "bio": "b" * 501})
    assert response.status_code == 400 and "The bio is too long" in html(response)


def test_avatar_default_svg(client):
    user = UserFactory(display_name="<script>王")
    response = client.get(reverse("forum:avatar_default", args=[user.username]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "max-age=" in response["Cache-Control"] and "public" in response["Cache-Control"]
    svg = html(response)
    assert f"hsl({user.avatar_hue}," in svg and ">&lt;</text>" in svg and "<script" not in svg
    assert client.get(reverse("forum:avatar_default", args=["nobody-here"])).status_code == 404


def test_member_name_include_used_for_authors(client, topic, reply, other_member):
    page = html(client.get(topic.get_absolute_url()))
    assert f'<span class="member-name"><img class="avatar" src="{other_member.avatar_url}"' in page


# --- the anonymous fragment cache is never stale -------------------------------------------------
def test_cached_guest_page_shows_new_reply_at_once(client, topic, other_member, moderator):
    url = topic.get_absolute_url()
    assert "Fresh reply" not in html(client.get(url))
    assert "Fresh reply" not in html(client.get(url))  # now served from the cache
    services.post_create(actor=other_member, topic=topic, body="Fresh reply")
    assert "Fresh reply" in html(client.get(url))
    post = topic.posts.get(number=2)
    services.post_vote(actor=topic.author, post=post, value=1)
    assert 'title="Score">1<' in html(client.get(url)).replace("\n", "")
    services.post_edit(actor=other_member, post=post, body="Edited reply")
    assert "Edited reply" in html(client.get(url))
    registry.run("post", "hide", actor=moderator, obj=post)
    assert "Edited reply" not in html(client.get(url))
    registry.run("topic", "lock", actor=moderator, obj=topic)
    assert ">Locked</span>" in html(client.get(url))


def test_cached_guest_lists_show_new_topic_at_once(client, category):
    TopicFactory.create(category=category, title="The first topic")
    for url in (category.get_absolute_url(), reverse("forum:index"), reverse("forum:latest")):
        assert "The first topic" in html(client.get(url))
    TopicFactory.create(category=category, title="The second topic")
    for url in (category.get_absolute_url(), reverse("forum:index"), reverse("forum:latest")):
        assert "The second topic" in html(client.get(url)), url


def test_cached_guest_pages_show_a_new_display_name_at_once(client, topic, reply, other_member):
    urls = (topic.get_absolute_url(), topic.category.get_absolute_url(), reverse("forum:latest"))
    for url in urls:
        html(client.get(url))  # cached now
    services.profile_update(actor=other_member, member=other_member, display_name="改名后的名字", bio="")
    assert "改名后的名字" in html(client.get(topic.get_absolute_url()))
    assert "改名后的名字" in html(client.get(topic.category.get_absolute_url()))  # the last poster


def test_cached_guest_pages_follow_the_language(client, topic):
    set_language(client, "en")
    assert LANG_ATTR["en"] in html(client.get(topic.get_absolute_url()))
    set_language(client, "zh-hans")
    body = html(client.get(topic.get_absolute_url()))
    assert LANG_ATTR["zh-hans"] in body


# --- guest pages set no cookie (issue 20): the language switch is a link, not a POST form ----------------
def test_guest_pages_set_no_cookie_and_carry_no_csrf_token(client, topic, reply):
    client.cookies.clear()
    for url in (reverse("forum:index"), reverse("forum:latest"), topic.category.get_absolute_url(),
                topic.get_absolute_url()):
        for _ in range(2):  # cold and cached
            response = client.get(url)
            assert response.status_code == 200, url
            assert dict(response.cookies) == {}, (url, list(response.cookies))
            assert "csrfmiddlewaretoken" not in html(response), url
    assert reverse("forum:set_language", args=["en"]) + "?next=" in html(response)


def test_the_language_link_sets_the_cookie_and_returns_to_the_page(client, topic):
    url = topic.get_absolute_url()
    response = client.get(reverse("forum:set_language", args=["en"]), {"next": url})
    assert response.status_code == 302 and response["Location"] == url
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert LANG_ATTR["en"] in html(client.get(url))
    response = client.get(reverse("forum:set_language", args=["zh-hans"]), {"next": url})
    assert LANG_ATTR["zh-hans"] in html(client.get(url))


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example", ""])
def test_the_language_link_never_leaves_the_site(client, target):
    response = client.get(reverse("forum:set_language", args=["en"]), {"next": target})
    assert response.status_code == 302 and response["Location"] == reverse("forum:index")


def test_an_unknown_language_is_a_404_with_a_message(client):
    response = client.get(reverse("forum:set_language", args=["xx"]), {"next": "/"})
    assert response.status_code == 404 and b"No such language" in response.content
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_sign_in_and_sign_up_forms_still_carry_their_token(client):
    client.cookies.clear()
    for url in (reverse("account_login"), reverse("account_signup")):
        response = client.get(url)
        assert "csrfmiddlewaretoken" in html(response), url

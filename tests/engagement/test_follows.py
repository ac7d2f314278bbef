"""Following (engagement.follows): one follow per member and target, never oneself; the feed shows what the
followed post and never what the reader may not read; the followed member is told; the pages, the button,
the API; a fixed number of queries for the feed whatever its length."""

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import translation

from engagement.follows import selectors, services
from engagement.follows.models import Follow
from forum import ratelimit
from forum import services as forum_services
from forum.errors import InvalidInput, NotAllowed, RateLimited
from forum.models import Notification, Tag
from tests.conftest import clear_cache
from tests.factories import CategoryFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _feed_titles(user, **kwargs):
    return [(p.topic.title, p.number) for p in selectors.feed(user=user, **kwargs).object_list]


# --- the model and the services --------------------------------------------------------------------------
def test_a_follow_counts_once_and_both_verbs_are_idempotent():
    reader, author = UserFactory(), UserFactory()
    category = CategoryFactory()
    tag = Tag.objects.create(name="Django", slug="django")
    follow, created = services.follow_create(actor=reader, member=author)
    again, created_again = services.follow_create(actor=reader, member=author)
    assert (created, created_again, again.pk) == (True, False, follow.pk)
    services.follow_create(actor=reader, category=category)
    services.follow_create(actor=reader, category=category)
    services.follow_create(actor=reader, tag=tag)
    assert Follow.objects.filter(follower=reader).count() == 3
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(follower=reader, member=author)  # the database refuses a second row too
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(follower=reader, member=author, category=category)  # one target per row
    assert services.follow_delete(actor=reader, member=author) is True
    assert services.follow_delete(actor=reader, member=author) is False
    assert Follow.objects.filter(follower=reader).count() == 2
    with pytest.raises(InvalidInput):
        services.follow_create(actor=reader, member=author, tag=tag)


def test_nobody_follows_themselves():
    member = UserFactory()
    with pytest.raises(InvalidInput) as refused:
        services.follow_create(actor=member, member=member)
    assert refused.value.code == "self_follow"
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(follower=member, member=member)
    client = Client()
    client.force_login(member)
    response = client.post(f"/follow/member/{member.username}/", {"follow": "1"}, **HTMX)
    assert response.status_code == 400
    assert "不能关注自己。" in response.content.decode()  # the site's default language
    api = client.post(f"/api/v1/members/{member.pk}/follow")
    assert api.status_code == 400 and api.json()["error"]["code"] == "self_follow"
    assert not Follow.objects.exists()


def test_a_private_category_cannot_be_followed_by_those_who_may_not_read_it():
    insiders = Group.objects.create(name="Insiders")
    private = CategoryFactory(read_group=insiders)
    outsider, insider = UserFactory(), UserFactory()
    insider.groups.add(insiders)
    with pytest.raises(NotAllowed):
        services.follow_create(actor=outsider, category=private)
    services.follow_create(actor=insider, category=private)
    client = Client()
    client.force_login(outsider)
    assert client.get(f"/follow/category/{private.slug}/button/").status_code == 403
    assert client.post(f"/api/v1/categories/{private.pk}/follow").status_code == 403


def test_following_is_rate_limited_like_other_member_writes(settings):
    settings.HUOLI = {**settings.HUOLI, "RATE_LIMITS": {**settings.HUOLI["RATE_LIMITS"], "follow": (2, 3600)}}
    clear_cache()
    reader = UserFactory()
    services.follow_create(actor=reader, member=UserFactory())
    services.follow_create(actor=reader, member=UserFactory())
    with pytest.raises(RateLimited):
        services.follow_create(actor=reader, member=UserFactory())
    client = Client()
    client.force_login(reader)
    response = client.post(f"/api/v1/members/{UserFactory().pk}/follow")
    assert response.status_code == 429 and response["Retry-After"]
    assert Follow.objects.filter(follower=reader).count() == 2


# --- guests ------------------------------------------------------------------------------------------------
def test_guests_are_sent_to_sign_in():
    author = UserFactory()
    client = Client()
    response = client.post(f"/follow/member/{author.username}/", {"follow": "1"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert f"next=/u/{author.username}/" in response["Location"]
    htmx = client.post(f"/follow/member/{author.username}/", {"follow": "1"}, **HTMX)
    assert htmx.status_code == 204 and htmx["HX-Redirect"].startswith("/accounts/login/")
    feed = client.get("/feed/")
    assert feed.status_code == 302 and feed["Location"].startswith("/accounts/login/?next=/feed/")
    assert client.post(f"/api/v1/members/{author.pk}/follow").status_code == 401
    assert not Follow.objects.exists()


# --- the feed ----------------------------------------------------------------------------------------------
def test_the_feed_shows_what_the_followed_post_newest_first():
    reader, author, stranger = UserFactory(), UserFactory(), UserFactory()
    watched, other = CategoryFactory(), CategoryFactory()
    tag = TopicFactory.create(author=stranger, category=other, title="Tagged before", tags=["django"]).tags.get()
    services.follow_create(actor=reader, member=author)
    services.follow_create(actor=reader, category=watched)
    services.follow_create(actor=reader, tag=tag)
    by_author = TopicFactory.create(author=author, category=other, title="Topic by the author")
    forum_services.post_create(actor=stranger, topic=by_author, body="a stranger's reply")  # not followed
    elsewhere = TopicFactory.create(author=stranger, category=other, title="Unrelated topic")
    forum_services.post_create(actor=author, topic=elsewhere, body="the author replies elsewhere")
    TopicFactory.create(author=stranger, category=watched, title="In the watched category")
    TopicFactory.create(author=stranger, category=other, title="Tagged after", tags=["Django"])
    TopicFactory.create(author=reader, category=watched, title="The reader's own")  # never in one's own feed
    assert _feed_titles(reader) == [
        ("Tagged after", 1), ("In the watched category", 1), ("Unrelated topic", 2), ("Topic by the author", 1),
        ("Tagged before", 1)]
    reasons = [p.feed_reason[0] for p in selectors.feed(user=reader).object_list]
    assert reasons == ["tag", "category", "member", "member", "tag"]


def test_the_feed_never_shows_what_the_reader_may_not_read(moderator):
    insiders = Group.objects.create(name="Insiders")
    private = CategoryFactory(read_group=insiders)
    public = CategoryFactory()
    reader, insider, author = UserFactory(), UserFactory(), UserFactory()
    insider.groups.add(insiders)
    author.groups.add(insiders)
    for person in (reader, insider):
        services.follow_create(actor=person, member=author)
    TopicFactory.create(author=author, category=private, title="Inside the private group")
    visible = TopicFactory.create(author=author, category=public, title="Public topic")
    hidden_reply = forum_services.post_create(actor=author, topic=visible, body="a reply a moderator hid")
    with transaction.atomic():
        forum_services.post_visibility_set(actor=moderator, post=hidden_reply, field="is_hidden", value=True)
    gone = TopicFactory.create(author=author, category=public, title="A topic a moderator hid")
    with transaction.atomic():
        forum_services.topic_flag_set(actor=moderator, topic=gone, field="is_hidden", value=True)
    assert _feed_titles(reader) == [("Public topic", 1)]
    assert _feed_titles(insider) == [("Public topic", 1), ("Inside the private group", 1)]
    client = Client()
    client.force_login(reader)
    html = client.get("/feed/").content.decode()
    assert "Public topic" in html
    assert "Inside the private group" not in html and "a reply a moderator hid" not in html
    assert "A topic a moderator hid" not in html
    manage = html.split('class="card follow-manage"')[1]  # "What you follow", each with its unfollow button
    assert f'action="/follow/member/{author.username}/"' in manage and 'name="follow" value="0"' in manage


def test_the_feed_is_paginated(settings):
    reader, author = UserFactory(), UserFactory()
    services.follow_create(actor=reader, member=author)
    topic = TopicFactory.create(author=author, title="A long conversation")
    with ratelimit.suspended():  # 24 replies in a second: more than a new member's hourly limit
        for i in range(24):
            forum_services.post_create(actor=author, topic=topic, body=f"reply number {i}")
    first = selectors.feed(user=reader, page=1)
    second = selectors.feed(user=reader, page=2)
    assert first.paginator.count == 25 and first.paginator.num_pages == 2
    assert [p.number for p in first.object_list] == list(range(25, 5, -1))
    assert [p.number for p in second.object_list] == [5, 4, 3, 2, 1]
    client = Client()
    client.force_login(reader)
    page_two = client.get("/feed/?page=2").content.decode()
    assert page_two.count('class="feed-item"') == 5
    api = client.get("/api/v1/feed?page=2").json()
    assert api["count"] == 25 and [r["number"] for r in api["results"]] == [5, 4, 3, 2, 1]
    assert api["results"][0]["reason"]["kind"] == "member" and api["previous"]


def test_an_empty_feed_says_what_to_follow():
    reader = UserFactory()
    category = CategoryFactory(name="技术问答")
    TopicFactory.create(author=UserFactory(username="busy_poster"), category=category)
    client = Client()
    client.force_login(reader)
    with translation.override("zh-hans"):
        html = client.get("/feed/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "你的动态还是空的" in html
    assert f'action="/follow/category/{category.slug}/"' in html and 'action="/follow/member/busy_poster/"' in html
    english = client.get("/feed/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Your feed is empty" in english


# --- notifications -----------------------------------------------------------------------------------------
def test_the_followed_member_is_told_once(django_capture_on_commit_callbacks):
    reader, author = UserFactory(display_name="Reader"), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.follow_create(actor=reader, member=author)
        services.follow_delete(actor=reader, member=author)
        services.follow_create(actor=reader, member=author)  # again: the first notice is still unread
    notices = list(Notification.objects.filter(recipient=author))
    assert len(notices) == 1
    assert notices[0].actor == reader and notices[0].url == f"/u/{reader.username}/"
    assert "Reader" in notices[0].message
    services.follow_create(actor=reader, category=CategoryFactory())  # following a category tells nobody
    assert Notification.objects.filter(recipient=author).count() == 1
    assert not Notification.objects.filter(recipient=reader).exists()


def test_followers_are_told_of_a_new_topic_they_may_read(django_capture_on_commit_callbacks):
    insiders = Group.objects.create(name="Insiders")
    private, public = CategoryFactory(read_group=insiders), CategoryFactory()
    author, reader, insider = UserFactory(), UserFactory(), UserFactory()
    author.groups.add(insiders)
    insider.groups.add(insiders)
    for person in (reader, insider):
        services.follow_create(actor=person, member=author)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        topic = TopicFactory.create(author=author, category=public, title="Open to all")
        secret = TopicFactory.create(author=author, category=private, title="Only insiders")
    assert set(Notification.objects.filter(topic=topic).values_list("recipient_id", flat=True)) == {reader.pk,
                                                                                                    insider.pk}
    assert list(Notification.objects.filter(topic=secret).values_list("recipient_id", flat=True)) == [insider.pk]
    assert services.follows_notify_new_topic(topic_id=topic.pk) == 0  # run twice: nobody is told twice


# --- pages, button, API -----------------------------------------------------------------------------------
def test_the_profile_shows_the_counts_and_the_button():
    reader, author = UserFactory(), UserFactory()
    services.follow_create(actor=UserFactory(), member=author)
    services.follow_create(actor=author, member=UserFactory())
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(reader)
    html = client.get(f"/u/{author.username}/").content.decode()
    assert "<strong>1</strong> follower" in html and "<strong>1</strong> following" in html
    assert f'action="/follow/member/{author.username}/"' in html and 'aria-pressed="false"' in html
    response = client.post(f"/follow/member/{author.username}/", {"follow": "1", "place": "profile"}, **HTMX)
    assert response.status_code == 200
    fragment = response.content.decode()
    assert "<strong>2</strong> followers" in fragment  # from the profile, the counts come back with the button
    assert 'aria-pressed="true"' in fragment and 'name="follow" value="0"' in fragment
    assert 'name="csrfmiddlewaretoken"' in fragment
    html = client.get(f"/u/{author.username}/").content.decode()
    assert "<strong>2</strong> followers" in html and 'aria-pressed="true"' in html
    plain = client.post(f"/follow/member/{author.username}/", {"follow": "0"})
    assert plain.status_code == 302 and plain["Location"] == f"/u/{author.username}/"
    assert not Follow.objects.filter(follower=reader).exists()
    own = client.get(f"/u/{reader.username}/").content.decode()
    assert 'href="/feed/"' in own and f'action="/follow/member/{reader.username}/"' not in own


def test_category_and_tag_pages_carry_the_button_and_the_header_links_the_feed():
    reader = UserFactory()
    category = CategoryFactory()
    topic = TopicFactory.create(category=category, title="Tagged topic", tags=["Python"])
    tag = topic.tags.get()
    client = Client()
    client.force_login(reader)
    page = client.get(category.get_absolute_url()).content.decode()
    assert f'hx-get="/follow/category/{category.slug}/button/"' in page
    assert 'href="/feed/"' in page
    tag_page = client.get(f"/tag/{tag.slug}/")
    assert tag_page.status_code == 200
    assert "Tagged topic" in tag_page.content.decode()
    assert f'hx-get="/follow/tag/{tag.slug}/button/"' in tag_page.content.decode()
    services.follow_create(actor=reader, tag=tag)
    button = client.get(f"/follow/tag/{tag.slug}/button/").content.decode()
    assert 'aria-pressed="true"' in button and "#Python" in button
    with translation.override("zh-hans"):
        zh = client.get(f"/follow/tag/{tag.slug}/button/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "已关注" in zh
    guest = Client().get(f"/tag/{tag.slug}/").content.decode()
    guest_actions = guest.split("page-actions")[1][:400]
    assert 'href="/accounts/login/?next=' in guest_actions and "hx-get" not in guest_actions


def test_the_api_follows_and_unfollows():
    reader, author = UserFactory(), UserFactory()
    category = CategoryFactory()
    tag = Tag.objects.create(name="api", slug="api")
    client = Client()
    client.force_login(reader)
    first = client.post(f"/api/v1/members/{author.pk}/follow")
    assert first.status_code == 201 and first.json() == {"kind": "member", "target_id": author.pk, "following": True}
    assert client.post(f"/api/v1/members/{author.pk}/follow").status_code == 200
    assert client.post(f"/api/v1/categories/{category.pk}/follow").status_code == 201
    assert client.post(f"/api/v1/tags/{tag.pk}/follow").status_code == 201
    assert Follow.objects.filter(follower=reader).count() == 3
    gone = client.delete(f"/api/v1/members/{author.pk}/follow")
    assert gone.status_code == 200 and gone.json()["following"] is False
    assert client.delete(f"/api/v1/tags/{tag.pk}/follow").status_code == 200
    assert client.delete(f"/api/v1/categories/{category.pk}/follow").status_code == 200
    assert not Follow.objects.exists()
    assert client.post("/api/v1/members/999999/follow").status_code == 404


# --- query counts ------------------------------------------------------------------------------------------
# member feed page (warm): user, the reader's follows, COUNT, the posts (topic, category, author and level),
# their topics' tags, what the reader follows (for "What you follow"); the session, the reader's groups
# and the unread-notification count come from the cache
MEMBER_FEED = 6


def _followed_world(reader, n):
    category = CategoryFactory()
    services.follow_create(actor=reader, category=category)
    for i in range(n):
        author = UserFactory()
        services.follow_create(actor=reader, member=author)
        topic = TopicFactory.create(author=author, category=CategoryFactory(), title=f"Feed topic {i}",
                                    tags=[f"t{i}", "x"])
        forum_services.post_create(actor=author, topic=topic, body=f"feed reply {i}")
        TopicFactory.create(author=UserFactory(), category=category, title=f"Category topic {i}")


@pytest.mark.parametrize("n", [5, 10])
def test_the_feed_runs_a_fixed_number_of_queries(client, django_assert_num_queries, n, settings):
    settings.HUOLI = {**settings.HUOLI, "RATE_LIMITS": {**settings.HUOLI["RATE_LIMITS"], "follow": (1000, 3600)}}
    reader = UserFactory()
    _followed_world(reader, n)
    client.force_login(reader)
    client.get("/feed/")  # the level ladder and other per-site caches warm up
    with django_assert_num_queries(MEMBER_FEED):
        response = client.get("/feed/")
    assert response.content.decode().count('class="feed-item"') == min(3 * n, 20)

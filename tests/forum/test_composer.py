"""The composer (issue 15, forum/composer): live Markdown preview, server-side drafts, @mention
autocomplete and inline quote. Each endpoint refuses guests (401), forged posts (CSRF, 403), bad
input (400), too-long text (413) and floods (429 with Retry-After)."""

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from forum import services
from forum.composer import services as composer_services
from forum.composer.models import Draft
from forum.errors import InvalidInput, NotAllowed, TooLarge
from tests.factories import CategoryFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

PREVIEW = "/composer/preview/"
DRAFT = "/composer/draft/"
DISCARD = "/composer/draft/discard/"
MENTIONS = "/composer/mentions/"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def client_for(user, *, csrf=False):
    client = Client(enforce_csrf_checks=csrf, HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def with_limit(settings, action, count):
    settings.HUOLI = {**settings.HUOLI, "RATE_LIMITS": {**settings.HUOLI["RATE_LIMITS"], action: (count, 3600)}}


# --- preview ---------------------------------------------------------------------------------
def test_preview_renders_markdown_through_the_post_pipeline(member):
    response = client_for(member).post(PREVIEW, {"body": "**粗体** and `code`\n\n<script>alert(1)</script>"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>粗体</strong>" in html and "<code>code</code>" in html
    assert "<script" not in html  # nh3, as a published post
    assert response["Cache-Control"] == "no-store"


def test_preview_of_an_empty_body_is_empty(member):
    response = client_for(member).post(PREVIEW, {"body": "   "})
    assert response.status_code == 200 and response.content == b""


def test_preview_refuses_guests_get_and_forged_posts(member):
    assert client_for(None).post(PREVIEW, {"body": "x"}).status_code == 401
    assert client_for(member).get(PREVIEW).status_code == 405
    assert client_for(member, csrf=True).post(PREVIEW, {"body": "x"}).status_code == 403


def test_preview_of_a_too_long_body_is_413_with_a_message(member, settings):
    settings.HUOLI = {**settings.HUOLI, "BODY_MAX_LENGTH": 10}
    response = client_for(member).post(PREVIEW, {"body": "x" * 11})
    assert response.status_code == 413
    assert "too long" in response.json()["error"]["message"]


def test_preview_is_rate_limited(member, settings):
    with_limit(settings, "preview", 2)
    client = client_for(member)
    assert [client.post(PREVIEW, {"body": "hi"}).status_code for _ in range(3)] == [200, 200, 429]
    assert int(client.post(PREVIEW, {"body": "hi"})["Retry-After"]) > 0


# --- drafts ----------------------------------------------------------------------------------
def test_a_reply_draft_is_saved_restored_and_replaced(member):
    topic = TopicFactory.create()
    client = client_for(member)
    place = f"reply:{topic.pk}"
    assert client.get(DRAFT, {"place": place}).json() == {"draft": None}
    assert client.post(DRAFT, {"place": place, "body": "第一稿"}).status_code == 200
    assert client.post(DRAFT, {"place": place, "body": "第二稿"}).status_code == 200
    draft = client.get(DRAFT, {"place": place}).json()["draft"]
    assert draft["body"] == "第二稿" and draft["place"] == place
    assert Draft.objects.filter(user=member).count() == 1  # one per member per place


def test_drafts_are_per_member(member, other_member):
    topic = TopicFactory.create()
    composer_services.draft_save(actor=member, place=f"reply:{topic.pk}", body="mine")
    assert client_for(other_member).get(DRAFT, {"place": f"reply:{topic.pk}"}).json() == {"draft": None}


def test_a_new_topic_draft_keeps_title_and_category(member, category):
    client = client_for(member)
    response = client.post(DRAFT, {"place": f"new:{category.pk}", "title": "标题草稿", "body": "正文",
                                   "category": category.pk})
    assert response.status_code == 200
    draft = client.get(DRAFT, {"place": f"new:{category.pk}"}).json()["draft"]
    assert (draft["title"], draft["body"], draft["category"]) == ("标题草稿", "正文", category.pk)


def test_the_database_allows_one_draft_per_member_and_place(member):
    Draft.objects.create(user=member, place="new:0", body="a")
    with pytest.raises(IntegrityError), transaction.atomic():
        Draft.objects.create(user=member, place="new:0", body="b")


def test_an_empty_draft_is_deleted(member):
    composer_services.draft_save(actor=member, place="new:0", body="something")
    assert composer_services.draft_save(actor=member, place="new:0", body="  ", title="") is None
    assert not Draft.objects.filter(user=member).exists()


@pytest.mark.parametrize("place", ["", "reply:", "reply:abc", "edit:3", "new:1;drop", "x" * 50])
def test_a_bad_place_is_400(member, place):
    response = client_for(member).post(DRAFT, {"place": place, "body": "x"})
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "place"
    assert client_for(member).get(DRAFT, {"place": place}).status_code == 400


def test_a_draft_for_a_topic_the_member_may_not_read_is_403(member):
    from django.contrib.auth.models import Group

    staff_only = CategoryFactory(read_group=Group.objects.get_or_create(name="Staff room")[0])
    topic = TopicFactory.create(category=staff_only, author=UserFactory(is_staff=True))
    response = client_for(member).post(DRAFT, {"place": f"reply:{topic.pk}", "body": "x"})
    assert response.status_code == 403
    assert not Draft.objects.exists()
    with pytest.raises(NotAllowed):
        composer_services.draft_save(actor=member, place="reply:999999", body="x")


def test_a_too_long_draft_is_413_and_nul_is_400(member, settings):
    settings.HUOLI = {**settings.HUOLI, "BODY_MAX_LENGTH": 10}
    response = client_for(member).post(DRAFT, {"place": "new:0", "body": "x" * 11})
    assert response.status_code == 413
    assert "too long" in response.json()["error"]["message"]
    with pytest.raises(TooLarge):
        composer_services.draft_save(actor=member, place="new:0", body="ok", title="t" * 201)
    with pytest.raises(InvalidInput):
        composer_services.draft_save(actor=member, place="new:0", body="a\x00b")
    assert not Draft.objects.exists()


def test_draft_endpoints_refuse_guests_forgeries_and_floods(member, settings):
    assert client_for(None).post(DRAFT, {"place": "new:0", "body": "x"}).status_code == 401
    assert client_for(None).get(DRAFT, {"place": "new:0"}).status_code == 401
    assert client_for(member, csrf=True).post(DRAFT, {"place": "new:0", "body": "x"}).status_code == 403
    assert client_for(member, csrf=True).post(DISCARD, {"place": "new:0"}).status_code == 403
    with_limit(settings, "draft", 1)
    client = client_for(member)
    assert client.post(DRAFT, {"place": "new:0", "body": "x"}).status_code == 200
    assert client.post(DRAFT, {"place": "new:0", "body": "y"}).status_code == 429


def test_the_member_discards_a_draft(member):
    composer_services.draft_save(actor=member, place="new:0", body="x")
    client = client_for(member)
    assert client.post(DISCARD, {"place": "new:0"}).json() == {"discarded": True}
    assert client.post(DISCARD, {"place": "new:0"}).json() == {"discarded": False}


def test_publishing_a_reply_deletes_its_draft(member):
    services.member_joined(member=member)
    topic = TopicFactory.create()
    composer_services.draft_save(actor=member, place=f"reply:{topic.pk}", body="draft")
    other = Draft.objects.create(user=member, place="new:0", body="another place")
    response = client_for(member).post(reverse("forum:topic_reply", args=[topic.pk]), {"body": "published"})
    assert response.status_code == 302
    assert list(Draft.objects.filter(user=member)) == [other]


def test_a_refused_reply_keeps_its_draft(member):
    services.member_joined(member=member)
    topic = TopicFactory.create()
    composer_services.draft_save(actor=member, place=f"reply:{topic.pk}", body="draft")
    response = client_for(member).post(reverse("forum:topic_reply", args=[topic.pk]), {"body": ""})
    assert response.status_code == 400
    assert Draft.objects.filter(user=member).exists()


def test_publishing_a_topic_deletes_the_draft_of_the_form(member, category):
    services.member_joined(member=member)
    composer_services.draft_save(actor=member, place=f"new:{category.pk}", body="draft", title="draft title")
    page = client_for(member).get(reverse("forum:topic_new") + f"?category={category.slug}")
    assert f'data-draft-place="new:{category.pk}"' in page.content.decode()
    response = client_for(member).post(reverse("forum:topic_new"), {
        "category": category.pk, "title": "A new topic title", "body": "its body", "draft_place": f"new:{category.pk}"})
    assert response.status_code == 302
    assert not Draft.objects.filter(user=member).exists()


def test_the_topic_page_offers_the_composer_with_its_draft_place(member):
    services.member_joined(member=member)
    topic = TopicFactory.create()
    html = client_for(member).get(topic.get_absolute_url()).content.decode()
    assert f'data-draft-place="reply:{topic.pk}"' in html
    assert 'data-preview-url="/composer/preview/"' in html and "js/composer.js" in html and "css/composer.css" in html


# --- @mentions -------------------------------------------------------------------------------
def test_mentions_prefix_match_including_chinese_and_skip_banned_and_inactive(member):
    now = timezone.now()
    UserFactory(username="小明同学", display_name="", last_seen_at=now)
    UserFactory(username="小明不在", display_name="", is_active=False)
    UserFactory(username="小明被封", display_name="", banned_at=now)
    UserFactory(username="小明过去", display_name="", banned_at=now - timezone.timedelta(days=3),
                banned_until=now - timezone.timedelta(days=1))
    UserFactory(username="大明", display_name="")
    response = client_for(member).get(MENTIONS, {"q": "小明"})
    assert response.status_code == 200
    assert [m["username"] for m in response.json()["members"]] == ["小明同学", "小明过去"]
    assert set(response.json()["members"][0]) == {"username", "name", "avatar_url"}


def test_mentions_are_at_most_eight_recent_first(member):
    now = timezone.now()
    for i in range(10):
        UserFactory(username=f"alice{i}", display_name="", last_seen_at=now - timezone.timedelta(minutes=i))
    names = [m["username"] for m in client_for(member).get(MENTIONS, {"q": "ALI"}).json()["members"]]
    assert names == [f"alice{i}" for i in range(8)]


def test_mentions_refuse_guests_and_answer_nothing_to_nothing(member):
    assert client_for(None).get(MENTIONS, {"q": "a"}).status_code == 401
    assert client_for(member).get(MENTIONS, {"q": ""}).json() == {"members": []}


# --- inline quote ----------------------------------------------------------------------------
def test_quote_gives_the_markdown_the_reply_box_receives(member):
    author = UserFactory(username="quoted_one")
    topic = TopicFactory.create(author=author, body="第一行\n第二行")
    opening = topic.posts.get(number=1)
    response = client_for(member).get(f"/p/{opening.pk}/quote/")
    assert response.json() == {"markdown": "> @quoted_one:\n> 第一行\n> 第二行\n\n", "heading": "> @quoted_one:",
                               "reply_to": opening.pk}
    # the no-JavaScript fallback fills the box with the same text
    page = client_for(member).get(topic.get_absolute_url() + f"?quote={opening.pk}")
    assert "&gt; @quoted_one:\n&gt; 第一行" in page.content.decode()


def test_quote_refuses_guests_and_hidden_posts(member, moderator):
    topic = TopicFactory.create()
    opening = topic.posts.get(number=1)
    assert client_for(None).get(f"/p/{opening.pk}/quote/").status_code == 401
    from forum.moderation import hide

    hide.post_hide(actor=moderator, post=opening, hidden=True, reason="spam")
    assert client_for(member).get(f"/p/{opening.pk}/quote/").status_code == 404


def test_post_actions_link_quote_and_reply_for_the_script(member):
    services.member_joined(member=member)
    topic = TopicFactory.create()
    opening = topic.posts.get(number=1)
    html = client_for(member).get(topic.get_absolute_url()).content.decode()
    assert f'data-quote-url="/p/{opening.pk}/quote/"' in html and f'data-reply-to="{opening.pk}"' in html

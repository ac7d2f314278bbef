"""Wagtail pages: creation through the admin (Wagtail's test helpers), rendering for readers,
robustness when the forum content behind a block is hidden or deleted, social meta, revisions,
scheduled publishing and the Editors group's page permissions."""

import datetime
import json

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from cms.models import (
    CollectionIndexPage,
    CollectionPage,
    DigestIndexPage,
    DigestPage,
    EventPage,
    HomePage,
    StandardPage,
)
from cms.services import sections_ensure
from forum import services
from forum.moderation import registry
from tests.cms.conftest import post_block, publish_collection, topic_block
from tests.factories import CategoryFactory, TopicFactory, UserFactory

UNAVAILABLE_TOPIC = "This topic is no longer available."
UNAVAILABLE_POST = "This post is no longer available."


class TestPageTree(WagtailPageTestCase):
    def setUp(self):
        self.editor = UserFactory(username="chief")
        self.editor.groups.add(Group.objects.get(name="Editors"))
        self.home, self.collections, self.digests = sections_ensure()
        self.topic = TopicFactory.create(title="新人如何快速融入社区")
        self.client.force_login(self.editor)

    def test_tree_rules(self):
        self.assertAllowedSubpageTypes(HomePage, {CollectionIndexPage, DigestIndexPage, EventPage, StandardPage})
        self.assertAllowedParentPageTypes(CollectionPage, {CollectionIndexPage})
        self.assertAllowedParentPageTypes(DigestPage, {DigestIndexPage})
        self.assertCanCreateAt(CollectionIndexPage, CollectionPage)
        self.assertCanNotCreateAt(HomePage, CollectionPage)
        assert not HomePage.can_create_at(Page.get_first_root_node())  # max_count = 1: the migration made it

    def test_editor_creates_and_publishes_a_collection_in_the_admin(self):
        data = nested_form_data({
            "title": "编辑部精选",
            "slug": "editors-picks",
            "intro": "本周最值得读的讨论",
            "body": streamfield([
                ("topic", {"topic": self.topic.pk, "note": "从这里开始"}),
                ("text", rich_text("<p>编辑的话</p>")),
            ]),
        })
        self.assertCanCreate(self.collections, CollectionPage, data)
        page = CollectionPage.objects.get(slug="editors-picks")
        assert page.live
        assert [b.block_type for b in page.body] == ["topic", "text"]
        assert page.body[0].value["topic"] == self.topic
        self.assertPageIsRenderable(page)
        self.client.logout()
        html = self.client.get(page.url).content.decode()
        assert "新人如何快速融入社区" in html and "从这里开始" in html and "编辑的话" in html

    def test_pages_are_renderable_and_editable(self):
        page = publish_collection(self.collections, body=[topic_block(self.topic)])
        standard = StandardPage(title="社区规则", slug="rules", body=json.dumps([{"type": "text", "value": "<p>友善</p>"}]))
        self.home.add_child(instance=standard)
        standard.save_revision().publish()
        for p in (self.home, self.collections, page, standard):
            self.assertPageIsRenderable(p)
        data = nested_form_data({
            "title": "改过的合集", "slug": page.slug, "intro": "",
            "body": streamfield([("topic", {"topic": self.topic.pk, "note": ""})]),
        })
        self.assertPageIsEditable(page, post_data=data)
        self.assertPageIsPreviewable(page, post_data=data)


@pytest.mark.django_db
def test_collection_block_hidden_topic_renders_unavailable_without_leaking(client, sections, moderator, member):
    _home, collections, _d = sections
    shown = TopicFactory.create(title="公开的话题 shown-topic")
    hidden = TopicFactory.create(title="被隐藏的话题 secret-title", body="secret-body")
    reply = services.post_create(actor=member, topic=shown, body="将被删除的回复 secret-reply")
    page = publish_collection(collections, body=[topic_block(shown, "好"), topic_block(hidden, "note-on-hidden"),
                                                 post_block(reply)])
    registry.run("topic", "hide", actor=moderator, obj=hidden)
    services.post_delete(actor=member, post=reply)
    response = client.get(page.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "shown-topic" in html
    assert html.count(UNAVAILABLE_TOPIC) == 1 and UNAVAILABLE_POST in html
    for secret in ("secret-title", "secret-body", "secret-reply", "note-on-hidden", f"/t/{hidden.pk}/"):
        assert secret not in html
    # a moderator may read the hidden topic, and sees it marked
    client.force_login(moderator)
    html = client.get(page.url).content.decode()
    assert "secret-title" in html and "hidden" in html


@pytest.mark.django_db
def test_collection_with_a_deleted_topic_and_a_private_topic_still_renders(client, sections, private_category):
    _home, collections, _d = sections
    gone = TopicFactory.create(title="将被删除 gone-topic")
    staff = UserFactory(is_staff=True)
    private = TopicFactory.create(author=staff, category=private_category, title="内部 private-topic")
    page = publish_collection(collections, body=[topic_block(gone), topic_block(private)])
    from forum.models import Category, Topic

    Category.objects.filter(last_topic=gone).update(last_topic=None)
    Topic.objects.filter(pk=gone.pk).delete()
    response = client.get(page.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count(UNAVAILABLE_TOPIC) == 2
    assert "gone-topic" not in html and "private-topic" not in html
    client.force_login(staff)
    assert "private-topic" in client.get(page.url).content.decode()


@pytest.mark.django_db
def test_collection_page_renders_in_a_fixed_number_of_queries(client, sections, django_assert_max_num_queries):
    _home, collections, _d = sections
    category = CategoryFactory()
    few = publish_collection(collections, slug="few", body=[topic_block(TopicFactory.create(category=category))])
    many = publish_collection(collections, slug="many",
                              body=[topic_block(TopicFactory.create(category=category)) for _ in range(8)])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(few.url)  # warm up the site root cache
    with CaptureQueriesContext(connection) as one:
        client.get(few.url)
    with CaptureQueriesContext(connection) as eight:
        client.get(many.url)
    assert len(eight.captured_queries) == len(one.captured_queries)


@pytest.mark.django_db
def test_home_page_shows_hero_picks_collections_digest_events_and_numbers(client, sections, member, moderator):
    from engagement.checkin.services import checkin_today
    from engagement.events.models import Event

    home, collections, digests = sections
    picked = TopicFactory.create(author=member, title="编辑挑选的话题 picked-one")
    hidden = TopicFactory.create(title="隐藏的挑选 hidden-pick")
    home.hero_title = "活力社区欢迎你"
    home.hero_text = "hero-text-here"
    home.picked_topics.add(home.picked_topics.model(topic=picked, note="pick-note"))
    home.picked_topics.add(home.picked_topics.model(topic=hidden))
    home.save_revision().publish()
    registry.run("topic", "hide", actor=moderator, obj=hidden)
    publish_collection(collections, title="合集一号 collection-one", slug="c1")
    digest = DigestPage(title="本周精选 digest-one", slug="w1", week_start=datetime.date(2026, 1, 5))
    digests.add_child(instance=digest)
    digest.save_revision().publish()
    now = timezone.now()
    Event.objects.create(title="正在进行的活动 running-event", starts_at=now - datetime.timedelta(hours=1),
                         ends_at=now + datetime.timedelta(days=1), created_by=moderator)
    Event.objects.create(title="将来的活动 future-event", starts_at=now + datetime.timedelta(days=2),
                         ends_at=now + datetime.timedelta(days=3), created_by=moderator)
    checkin_today(actor=member)

    response = client.get(home.url)
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("活力社区欢迎你", "hero-text-here", "picked-one", "pick-note", "collection-one", "digest-one",
                 "running-event"):
        assert text in html, text
    assert "hidden-pick" not in html and "future-event" not in html
    from forum.models import Post, User

    members = User.objects.filter(is_active=True).count()
    posts_today = Post.objects.filter(is_hidden=False, is_deleted=False).count()  # all written today
    assert f'data-number="members">{members}<' in html
    assert f'data-number="posts-today">{posts_today}<' in html
    assert 'data-number="checkins-today">1<' in html


@pytest.mark.django_db
def test_every_page_has_open_graph_and_twitter_meta(client, sections):
    home, collections, _d = sections
    page = publish_collection(collections, title="分享测试 share-me", slug="share")
    page.search_description = "share-description"
    page.save_revision().publish()
    for url, title in ((home.url, home.title), (page.url, "share-me"), ("/featured/", "精华")):
        html = client.get(url).content.decode()
        assert '<meta property="og:title"' in html and title in html
        assert '<meta name="twitter:card"' in html and '<meta property="og:url" content="http://testserver' in html
    html = client.get(page.url).content.decode()
    assert '<meta property="og:description" content="share-description">' in html
    assert '<meta property="og:type" content="article">' in html


@pytest.mark.django_db
def test_drafts_revisions_and_scheduled_publishing(client, sections, editor):
    _home, collections, _d = sections
    page = publish_collection(collections, title="第一版 version-one", slug="versions")
    page.title = "第二版草稿 version-two"
    page.save_revision(user=editor)
    assert "version-one" in client.get(page.url).content.decode()  # the draft is not live
    assert page.revisions.count() == 2
    # scheduled: a new page that goes live in the future
    scheduled = CollectionPage(title="定时发布 scheduled-page", slug="later", live=False)
    collections.add_child(instance=scheduled)
    go_live = timezone.now() + datetime.timedelta(hours=1)
    scheduled.go_live_at = go_live
    scheduled.save_revision(user=editor).publish()
    scheduled.refresh_from_db()
    assert not scheduled.live
    call_command("publish_scheduled", verbosity=0)
    scheduled.refresh_from_db()
    assert not scheduled.live
    with pytest.MonkeyPatch.context() as mp:
        later = go_live + datetime.timedelta(minutes=1)
        mp.setattr(timezone, "now", lambda: later)
        from cms.tasks import publish_scheduled_task

        publish_scheduled_task.delay()
    scheduled.refresh_from_db()
    assert scheduled.live
    assert "scheduled-page" in client.get(scheduled.url).content.decode()


@pytest.mark.django_db
def test_editors_group_page_permissions_and_workflow(sections, editor, member):
    home, collections, _d = sections
    page = publish_collection(collections)
    perms = page.permissions_for_user(editor)
    assert perms.can_edit() and perms.can_publish() and perms.can_lock()
    assert collections.permissions_for_user(editor).can_add_subpage()
    assert not page.permissions_for_user(member).can_edit()
    assert editor.has_perm("wagtailadmin.access_admin") and not member.has_perm("wagtailadmin.access_admin")
    workflow = page.get_workflow()
    assert workflow.name == "Editorial review"
    task = workflow.tasks.first().specific
    assert list(task.groups.values_list("name", flat=True)) == ["Editors"]


@pytest.mark.django_db
def test_submitting_for_review_and_approving(sections, editor):
    _home, collections, _d = sections
    second = UserFactory(username="second_editor")
    second.groups.add(Group.objects.get(name="Editors"))
    page = CollectionPage(title="待审合集 in-review", slug="review", live=False)
    collections.add_child(instance=page)
    page.save_revision(user=editor)
    workflow = page.get_workflow()
    state = workflow.start(page, editor)
    assert state.status == "in_progress" and not CollectionPage.objects.get(pk=page.pk).live
    task_state = state.current_task_state
    task_state.task.specific.on_action(task_state, second, "approve")
    page.refresh_from_db()
    assert page.live


@pytest.mark.django_db
def test_event_page_shows_its_event_polls_and_schedule(client, sections, moderator, member):
    from engagement.events.models import Event
    from engagement.polls.services import poll_create

    home, _c, _d = sections
    now = timezone.now()
    event = Event.objects.create(title="周年庆 anniversary", starts_at=now - datetime.timedelta(hours=1),
                                 ends_at=now + datetime.timedelta(days=2), created_by=moderator)
    poll = poll_create(actor=moderator, question="最喜欢的版块 favourite-board?", options=["技术", "生活"])
    event.polls.add(poll)
    schedule = [{"type": "item", "value": {"starts_at": now.isoformat(), "title": "开幕 opening", "description": ""}}]
    page = EventPage(title="周年庆活动页", slug="anniversary", event=event, intro="event-intro",
                     schedule=json.dumps(schedule))
    home.add_child(instance=page)
    page.save_revision().publish()
    html = client.get(page.url).content.decode()
    assert "event-intro" in html and "opening" in html and "favourite-board" in html
    assert 'data-status="running"' in html and "participants" in html

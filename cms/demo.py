"""Demo content for the editorial side, called by `manage.py seed_demo` after the forum is seeded:

    from cms.demo import seed_cms_demo
    seed_cms_demo(self.stdout)

Idempotent: pages are found by slug and left alone when they exist, so running it twice changes
nothing. Creates: the home page's hero and picked topics, the collections and digests sections, a
published collection, a published weekly digest, an event page (linked to an event when one
exists) and the about / rules / help pages. Features two topics when an editor or staff member exists."""

import datetime
import json

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from forum import services as forum_services
from forum.errors import ForumError
from forum.models import Post, Topic
from forum.permissions import EDITORS

from . import selectors, services
from .models import CollectionPage, EventPage, StandardPage


def _public_topics():
    return Topic.objects.filter(is_hidden=False, category__read_group__isnull=True).select_related("author")


def _publish(page, parent=None):
    if parent is not None:
        parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _editor():
    User = get_user_model()
    return (User.objects.filter(groups__name=EDITORS, is_active=True).order_by("pk").first()
            or User.objects.filter(is_staff=True, is_active=True).order_by("pk").first())


@transaction.atomic
def seed_cms_demo(stdout=None):
    def say(msg):
        if stdout is not None:
            stdout.write(msg)

    home, collections, digests = services.sections_ensure()
    hot = list(_public_topics().order_by("-hot_score", "-id")[:6])

    # featured topics (精华): through the forum service, so points and notifications follow
    editor = _editor()
    if editor is not None:
        for topic in hot[:2]:
            if not topic.is_featured:
                try:
                    forum_services.topic_feature(actor=editor, topic=topic, featured=True, note="编辑推荐：值得一读")
                except ForumError as error:
                    say(f"  cms: could not feature {topic.pk}: {error.message}")

    # the home page
    if not home.hero_title:
        home.hero_title = "欢迎来到活力社区"
        home.hero_text = "精选合集、每周精选和正在进行的活动，都在这里。"
        home.hero_link_text = "逛逛论坛"
        home.hero_link_url = "/latest/"
        home.seo_title = "活力社区 Huoli：发现社区里最好的讨论"
        home.search_description = "活力社区的精选内容：编辑挑选的话题、合集、每周精选与活动。"
        home.picked_topics.set([])
        for topic in hot[:3]:
            home.picked_topics.add(home.picked_topics.model(topic=topic, note="编辑精选"))
        _publish(home)
        say("  cms: home page hero and picks")

    # a collection
    if not CollectionPage.objects.filter(slug="newcomers").exists():
        body = [{"type": "text", "value": "<p>刚来社区？从这些讨论开始，了解大家都在聊什么。</p>"}]
        body += [{"type": "topic", "value": {"topic": t.pk, "note": "值得一读的讨论。"}} for t in hot[:4]]
        reply = (Post.objects.filter(number__gt=1, is_hidden=False, is_deleted=False, topic__is_hidden=False,
                                     topic__category__read_group__isnull=True).order_by("-score", "-id").first())
        if reply is not None:
            body.append({"type": "post", "value": {"post": reply.pk, "note": "这条回复说得特别好。"}})
        from django.apps import apps

        if apps.is_installed("engagement.polls"):
            from engagement.polls.models import Poll

            poll = Poll.objects.filter(topic__is_hidden=False, topic__category__read_group__isnull=True).first()
            if poll is not None:
                body.append({"type": "poll", "value": {"poll": poll.pk}})
        page = CollectionPage(title="新人必读合集", slug="newcomers", intro="编辑为新成员挑选的精彩讨论。",
                              search_description="编辑为新成员挑选的精彩讨论。", body=json.dumps(body))
        _publish(page, collections)
        say(f"  cms: collection “{page.title}” with {len(body)} blocks")

    # a weekly digest: the week of the latest public topic
    latest = _public_topics().order_by("-created_at").first()
    if latest is not None:
        day = timezone.localtime(latest.created_at).date()
        week_start = day - datetime.timedelta(days=day.weekday())
        digest, created = services.digest_propose(week_start=week_start)
        if not digest.live:
            digest.get_latest_revision_as_object().save_revision().publish()
            say(f"  cms: digest “{digest.title}” published")
        elif created:
            say(f"  cms: digest “{digest.title}”")

    # an event page
    if not EventPage.objects.filter(slug="event").exists():
        event = None
        from django.apps import apps

        if apps.is_installed("engagement.events"):
            running = selectors.running_events()
            if running:
                event = running[0]
            else:
                from engagement.events.models import Event

                event = Event.objects.order_by("-starts_at").first()
        start = event.starts_at if event else timezone.now()
        schedule = [
            {"type": "item", "value": {"starts_at": start.isoformat(), "title": "活动开始", "description": "投票和抽奖开放。"}},
            {"type": "item", "value": {"starts_at": (start + datetime.timedelta(days=3)).isoformat(),
                                       "title": "公布结果", "description": "在本页公布投票结果和中奖名单。"}},
        ]
        page = EventPage(title=event.title if event else "社区活动", slug="event", event=event,
                         intro="参加活动，赢取积分和奖品。", schedule=json.dumps(schedule),
                         body=json.dumps([{"type": "text", "value": "<p>发帖、投票、抽奖，一起来玩。</p>"}]))
        _publish(page, home)
        say(f"  cms: event page “{page.title}”")

    # about, rules, help
    for slug, title, text in (
        ("about", "关于活力社区", "<p>活力社区是一个开源的中文社区论坛。</p>"),
        ("rules", "社区规则", "<ol><li>友善交流，尊重他人。</li><li>不发广告和垃圾信息。</li><li>引用请注明出处。</li></ol>"),
        ("help", "帮助", "<p>如何发帖、投票、签到和赚取积分：见各页面的说明。</p>"),
    ):
        if not StandardPage.objects.filter(slug=slug).exists():
            _publish(StandardPage(title=title, slug=slug, body=json.dumps([{"type": "text", "value": text}])), home)
            say(f"  cms: page “{title}”")


def seed_demo(ctx):
    """Called by `manage.py seed_demo` after the forum's and engagement's demo sections."""
    lines = []

    class _Collect:
        def write(self, msg):
            lines.append(msg)

    seed_cms_demo(_Collect())
    return lines

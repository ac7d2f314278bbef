"""Every page of the forum renders with the forum alone: no other app's template tags, static files or URLs
are needed (they reach the forum's templates through forum.hooks.template_slots). Run by
tests/test_forum_only.py with --ds=tests.forum_only.settings; the main run does not collect this folder."""

import pytest
from django.apps import apps
from django.test import Client

from forum import services
from forum.models import Category, User
from forum.moderation import reports

pytestmark = pytest.mark.django_db

OTHER_APPS_MARKS = ("engagement/", "cms/", "search/", "realtime/", "/leaderboard/", "/featured/", "/checkin/",
                    'name="q"')


@pytest.fixture
def site():
    staff = User.objects.create_user(username="staff", email="s@example.com", password="pw", is_staff=True,
                                     is_superuser=True)
    member = User.objects.create_user(username="member", email="m@example.com", password="pw")
    author = User.objects.create_user(username="author", email="a@example.com", password="pw")
    category = Category.objects.create(name="综合", slug="general")
    topic = services.topic_create(actor=author, category=category, title="只有论坛的页面", body="正文 **body**")
    reply = services.post_create(actor=member, topic=topic, body="一条回复")
    services.post_vote(actor=member, post=topic.posts.order_by("number").first(), value=1)
    services.bookmark_toggle(actor=member, post=reply)
    reports.report_create(actor=author, target=reply, reason="spam", message="广告")
    return {"staff": staff, "member": member, "author": author, "category": category, "topic": topic,
            "reply": reply}


def test_the_other_apps_are_gone():
    assert not any(apps.is_installed(app) for app in ("engagement", "cms", "search", "realtime", "wagtail"))


def _pages(site):
    topic, reply = site["topic"], site["reply"]
    guest = ["/", "/latest/", "/c/general/", topic.get_absolute_url(), f"/u/{site['author'].username}/",
             "/accounts/login/", "/accounts/signup/"]
    member = [*guest, "/new/", "/notifications/", "/bookmarks/", "/settings/profile/", "/settings/tokens/",
              f"/p/{reply.pk}/edit/", f"/report/post/{topic.posts.order_by('number').first().pk}/", "/mod/apply/"]
    staff = [*member, "/mod/", f"/mod/t/{topic.pk}/", f"/mod/p/{reply.pk}/", "/mod/audit/", "/mod/moderators/",
             f"/mod/u/{site['member'].username}/", "/api/v1/categories"]
    return {None: guest, "member": member, "staff": staff}


@pytest.mark.parametrize("who", [None, "member", "staff"])
def test_every_page_renders_without_the_other_apps(site, who):
    client = Client()
    if who:
        client.force_login(site[who])
    for url in _pages(site)[who]:
        response = client.get(url, follow=True)
        assert response.status_code == 200, (who, url, response.status_code)
        html = response.content.decode()
        assert "</html>" in html or response["Content-Type"].startswith("application/json")
        leaked = [mark for mark in OTHER_APPS_MARKS if mark in html]
        assert leaked == [], (who, url, leaked)
    if who:  # the forum's own navigation and content are all there
        html = client.get(site["topic"].get_absolute_url()).content.decode()
        assert "只有论坛的页面" in html and "一条回复" in html and "/notifications/" in html


def test_writes_work_without_the_other_apps(site):
    client = Client()
    client.force_login(site["member"])
    response = client.post(f"/t/{site['topic'].pk}/reply/", {"body": "没有积分也能回复"})
    assert response.status_code == 302
    assert site["topic"].posts.filter(source="没有积分也能回复").count() == 1
    opening = site["topic"].posts.get(number=1)
    response = client.post(f"/p/{opening.pk}/vote/", {"value": "-1"})
    assert response.status_code in (200, 302)
    assert list(opening.votes.values_list("value", flat=True)) == [-1]

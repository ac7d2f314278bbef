"""UGC safety: every field a member writes that the forum and moderation pages show (titles, bodies,
tags, display names, bios, report messages, applications to moderate) carries each XSS vector; no
page may then contain an inline script, an event-handler attribute or a javascript: URL, and the
API's HTML fields are sanitised the same way."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from engagement.levels.models import MemberLevel
from forum import services
from forum.moderation import moderators, reports
from forum.moderation.models import ModerationItem
from tests.factories import CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db

VECTORS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    "[click](javascript:alert(1))",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "'';!--\"<XSS>=&{()}",
    "<body onload=alert(1)>",
    "<style>@import 'http://evil/x.css';</style>",
    "<img src=\"x\" style=\"background:url(javascript:alert(1))\">",
    "{{ 7|add:7 }}{% debug %}",
]


class Scanner(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name.lower() in ("href", "src", "action", "formaction") and value and \
                    value.strip().lower().startswith(("javascript:", "data:text/html")):
                self.problems.append(f"<{tag} {name}={value}>")
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs and attrs.get("type") != "application/json":
            self.problems.append("inline <script>")
        if tag in ("iframe", "object", "embed", "xss", "style"):
            self.problems.append(f"<{tag}>")


def assert_safe(html, where):
    scanner = Scanner()
    scanner.feed(html)
    assert scanner.problems == [], (where, scanner.problems)


@pytest.fixture
def world(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.HUOLI = {**settings.HUOLI, "REPORT_AUTO_HIDE_WEIGHT": 0, "SPAM_MAX_LINKS": None}
    category = CategoryFactory(slug="xss")
    author = UserFactory(username="writer")
    MemberLevel.objects.create(member=author, level_number=6)
    staff = UserFactory(is_staff=True)
    return {"category": category, "author": author, "staff": staff}


@pytest.mark.parametrize("vector", VECTORS)
def test_member_written_fields_are_safe_in_pages_and_api(client, world, vector):
    author, category, staff = world["author"], world["category"], world["staff"]
    services.profile_update(actor=author, member=author, display_name=vector[:40], bio=vector)
    title = f"T {vector}"[:120]
    topic = services.topic_create(actor=author, category=category, title=title, body=vector, tags=["ok"])
    post = services.post_create(actor=author, topic=topic, body=f"reply {vector}")
    reporter = UserFactory()
    reports.report_create(actor=reporter, target=post, reason="other", message=vector)
    reports.report_create(actor=reporter, target=author, reason="other", message=vector)
    applicant = UserFactory()
    MemberLevel.objects.create(member=applicant, level_number=6)
    moderators.application_create(actor=applicant, category=category, motivation=f"I would like to help: {vector}")

    item = ModerationItem.objects.filter(post=post).first()
    client.force_login(staff)
    pages = {
        "topic": topic.get_absolute_url(), "category": category.get_absolute_url(), "latest": reverse("forum:latest"),
        "member": author.get_absolute_url(), "queue": reverse("forum:mod_queue"),
        "item": reverse("forum:mod_item", args=[item.pk]), "moderators": reverse("forum:mod_moderators"),
        "mod_post": reverse("forum:mod_post", args=[post.pk]), "audit": reverse("forum:mod_audit"),
        "mod_member": reverse("forum:mod_member", args=[author.username]),
    }
    for where, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, where
        html = response.content.decode()
        assert_safe(html, where)
        if "{{" in vector and where == "topic":
            assert "{{ 7|add:7 }}" in html  # template syntax in UGC is shown as text, never evaluated
    client.logout()
    assert_safe(client.get(topic.get_absolute_url()).content.decode(), "topic (guest)")

    data = client.get(f"/api/v1/topics/{topic.pk}/posts").json()
    for result in data["results"]:
        assert_safe(result["html"], "api post html")
    assert data["topic"]["title"] == topic.title  # JSON carries the text as written, clients escape it

"""UGC safety: every field a member writes that the forum and moderation pages show (titles, bodies,
tags, display names, bios, report messages, applications to moderate) carries each XSS vector; no
page may then contain an inline script, an event-handler attribute or a javascript: URL, and the
API's HTML fields are sanitised the same way."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils.html import escape

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
        if tag == "script" and "src" not in attrs and attrs.get("type") not in ("application/json",
                                                                                "application/ld+json"):
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


# --- polls, events and lotteries ------------------------------------------------------------------
# Each surface is (name, url(objects)): add a page or an API endpoint here and every vector is tried
# on it. `objects` holds the topic, poll, event_poll, event and lottery built by `engagement_ugc`.
ENGAGEMENT_PAGES = [  # (name, url, the texts the page must show, escaped)
    ("topic with poll and lottery", lambda o: o["topic"].get_absolute_url(), lambda o: [o["topic"].title]),
    ("poll detail", lambda o: f"/polls/{o['poll'].pk}/",
     lambda o: [o["poll"].question, *[opt.text for opt in o["poll"].options.all()]]),
    ("poll fragment", lambda o: f"/polls/{o['poll'].pk}/fragment/",
     lambda o: [o["poll"].question, *[opt.text for opt in o["poll"].options.all()]]),
    ("event poll detail", lambda o: f"/polls/{o['event_poll'].pk}/", lambda o: [o["event_poll"].question]),
    ("event page", lambda o: f"/events/{o['event'].pk}/", lambda o: [o["event"].title]),
    ("event list", lambda o: "/events/", lambda o: [o["event"].title]),
    ("lottery page", lambda o: f"/lotteries/{o['lottery'].pk}/",
     lambda o: [o["lottery"].title, o["lottery"].prize, o["lottery"].salt_source, o["lottery"].public_salt]),
    ("lottery fragment", lambda o: f"/lotteries/{o['lottery'].pk}/fragment/",
     lambda o: [o["lottery"].title, o["lottery"].prize]),
    ("audit log", lambda o: reverse("forum:mod_audit"),
     lambda o: [o["poll"].question, o["event"].title, o["lottery"].title]),
]
# JSON surfaces: (name, url, the member-written texts that must come back exactly as written)
ENGAGEMENT_JSON = [
    ("api poll", lambda o: f"/api/v1/polls/{o['poll'].pk}",
     lambda o: [o["poll"].question, *[opt.text for opt in o["poll"].options.all()]]),
    ("api event poll", lambda o: f"/api/v1/polls/{o['event_poll'].pk}", lambda o: [o["event_poll"].question]),
    ("api event", lambda o: f"/api/v1/events/{o['event'].pk}", lambda o: [o["event"].title]),
    ("api events", lambda o: "/api/v1/events", lambda o: [o["event"].title]),
    ("api lottery", lambda o: f"/api/v1/lotteries/{o['lottery'].pk}",
     lambda o: [o["lottery"].title, o["lottery"].prize]),
    ("api lottery audit", lambda o: f"/api/v1/lotteries/{o['lottery'].pk}/audit", lambda o: [o["lottery"].salt_source]),
    ("lottery audit.json", lambda o: f"/lotteries/{o['lottery'].pk}/audit.json", lambda o: [o["lottery"].salt_source]),
]


def _json_strings(value, key=""):
    """(key, text) for every string in a JSON document."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _json_strings(v, str(k))
    elif isinstance(value, list):
        for v in value:
            yield from _json_strings(v, key)
    elif isinstance(value, str):
        yield key, value


def assert_json_safe(response, where, expected_texts):
    assert response.status_code == 200, (where, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), where  # never sniffed as HTML
    strings = list(_json_strings(response.json()))
    for key, text in strings:
        if key.endswith("html"):  # HTML the API renders for clients: sanitised like the pages
            assert_safe(text, f"{where} {key}")
    values = {text for _key, text in strings}
    for text in expected_texts:  # plain text travels as written; clients escape it
        assert text in values, (where, text)


@pytest.fixture
def engagement_ugc(world):
    from datetime import timedelta

    from django.utils import timezone

    from engagement.events import services as events
    from engagement.lotteries import services as lotteries
    from engagement.lotteries.models import Lottery
    from engagement.polls import services as polls

    def build(vector):
        author, category, staff = world["author"], world["category"], world["staff"]
        now = timezone.now()
        topic = services.topic_create(actor=author, category=category, title=f"Poll {vector}"[:120], body="poll here")
        poll = polls.poll_create(actor=author, topic=topic, question=f"Q {vector}",
                                 options=[f"A {vector}", f"B {vector}"])
        event_poll = polls.poll_create(actor=staff, question=f"EQ {vector}", options=[f"X {vector}", "Y"])
        event = events.event_create(actor=staff, title=f"E {vector}"[:120], description=f"About {vector}\n\n{vector}",
                                    starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=2),
                                    categories=[category], topics=[topic])
        lottery = lotteries.lottery_create(actor=staff, title=f"L {vector}"[:120], prize=f"Prize {vector}",
                                           winners_count=1, opens_at=now - timedelta(hours=2),
                                           closes_at=now + timedelta(hours=1), topic=topic,
                                           salt_source=f"Salt {vector}")
        Lottery.objects.filter(pk=lottery.pk).update(closes_at=now - timedelta(minutes=1))
        lottery, _drawn = lotteries.lottery_draw(actor=staff, lottery=Lottery.objects.get(pk=lottery.pk),
                                                 public_salt=f"public {vector}")
        return {"topic": topic, "poll": poll, "event_poll": event_poll, "event": event, "lottery": lottery}

    return build


@pytest.mark.parametrize("vector", VECTORS)
def test_poll_event_and_lottery_text_is_safe_in_pages_and_api(client, world, engagement_ugc, vector):
    objects = engagement_ugc(vector)
    for viewer in (world["staff"], None):
        if viewer is not None:
            client.force_login(viewer)
        else:
            client.logout()
        for where, url, shown in ENGAGEMENT_PAGES:
            if viewer is None and where == "audit log":
                continue
            response = client.get(url(objects))
            assert response.status_code == 200, (where, response.status_code)
            html = response.content.decode()
            assert_safe(html, f"{where} ({'staff' if viewer else 'guest'})")
            for text in shown(objects):  # the field is on the page, as text
                assert escape(text) in html or escape(text).replace("&#x27;", "&#39;") in html, (where, text)
            if "{{" in vector and where == "poll detail":
                assert "{{ 7|add:7 }}" in html  # shown as text, never evaluated
        for where, url, texts in ENGAGEMENT_JSON:
            assert_json_safe(client.get(url(objects)), where, texts(objects))

"""Output safety beyond pages (issue 19): the suite's XSS vectors (tests/forum/test_ugc_xss.py),
written by a member, an editor and a moderator into every text field that leaves the site through a
feed, an email, a meta tag, JSON-LD, a notification or a CSV export. Each output is parsed as its
reader parses it (XML, HTML, JSON, CSV, the email message) and must hold the vector as text: no
element or attribute outside the sanitizer's allow list in HTML fields, no markup at all in text
fields, no formula in a CSV cell."""

import csv
import datetime
import html
import io
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from forum import events
from forum import services as forum_services
from forum.lib.exports import FORMULA_STARTS
from forum.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES
from forum.models import Notification
from tests.conftest import clear_cache
from tests.factories import CategoryFactory, UserFactory
from tests.forum.test_ugc_xss import VECTORS, assert_safe

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
FORMULAS = ("=", "+", "-", "@")


@pytest.fixture(autouse=True)
def _english_fast(settings):
    settings.LANGUAGE_CODE = "en"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.HUOLI = {**settings.HUOLI, "SPAM_MAX_LINKS": None, "SPAM_DUPLICATE_HOURS": 0}
    with translation.override("en"):
        yield


def _group_member(group):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def people():
    from engagement.levels.models import MemberLevel

    member = UserFactory(username="writer")
    MemberLevel.objects.create(member=member, level_number=6)
    return {"member": member, "editor": _group_member("Editors"), "moderator": _group_member("Moderators")}


class Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    handle_startendtag = handle_starttag


def elements(fragment):
    parser = Elements()
    parser.feed(fragment or "")
    parser.close()
    return parser.elements


def assert_allowed_html(fragment, where):
    """An HTML field: only the allow list of forum.markdown (nh3), absolute http(s)/mailto links."""
    for tag, attrs in elements(fragment):
        assert tag in ALLOWED_TAGS, (where, tag)
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        for name, value in attrs:
            assert name in allowed, (where, tag, name)
            if name in ("href", "src"):
                assert urlsplit(value or "").scheme in URL_SCHEMES, (where, tag, name, value)


def assert_text_only(fragment, text, where):
    """A text field read as HTML: no element at all, and the text is there once decoded."""
    assert elements(fragment) == [], (where, fragment)
    assert text in html.unescape(fragment), (where, fragment)


def escaped_template(text):
    """`text` as a recall template that renders back to `text` (str.format braces doubled)."""
    return text.replace("{", "{{").replace("}", "}}")


# --- feeds ---------------------------------------------------------------------------------------
def test_feeds_carry_every_vector_as_text(client, people):
    from cms.models import CollectionPage, DigestPage
    from cms.services import sections_ensure

    _home, collections, digests = sections_ensure()
    category = CategoryFactory(slug="feeds")
    member = people["member"]
    expected = {}
    for i, vector in enumerate(VECTORS):
        clear_cache()  # the write-rate counters: one member writes for every vector
        forum_services.profile_update(actor=member, member=member, display_name=vector[:40], bio=vector)
        topic = forum_services.topic_create(actor=member, category=category, title=f"T{i} {vector}"[:120],
                                            body=vector)
        actor = people["editor"] if i % 2 == 0 else people["moderator"]
        forum_services.topic_feature(actor=actor, topic=topic, featured=True, note=f"点评 {vector}")
        page = CollectionPage(title=f"合集 {vector}", slug=f"c{i}", intro=vector, search_description=f"简介 {vector}",
                              body="[]")
        collections.add_child(instance=page)
        page.save_revision(user=people["editor"]).publish()
        digest = DigestPage(title=f"第{i}期 {vector}", slug=f"d{i}", search_description=f"摘要 {vector}",
                            week_start=datetime.date(2026, 1, 5) + datetime.timedelta(weeks=i))
        digests.add_child(instance=digest)
        digest.save_revision(user=people["editor"]).publish()
        expected[f"T{i} {vector}"[:120]] = f"点评 {vector}"
        expected[f"合集 {vector}"] = f"简介 {vector}"
        expected[f"第{i}期 {vector}"] = f"摘要 {vector}"
    member.refresh_from_db()
    seen = 0
    for name in ("featured", "collections", "digests"):
        rss = ET.fromstring(client.get(reverse(f"cms:feed_{name}_rss")).content)
        for item in rss.findall("channel/item"):
            title = item.find("title").text
            assert title in expected and elements(html.escape(title)) == []
            assert_text_only(item.find("description").text, expected[title], f"{name}.rss description")
            assert_allowed_html(item.find("description").text, f"{name}.rss description")
            assert urlsplit(item.find("link").text).scheme == "http"
            seen += 1
        atom = ET.fromstring(client.get(reverse(f"cms:feed_{name}_atom")).content)
        for entry in atom.findall(f"{ATOM}entry"):
            title = entry.find(f"{ATOM}title")
            assert title.get("type") in (None, "text") and title.text in expected  # Atom text: read as text
            summary = entry.find(f"{ATOM}summary")
            assert summary.get("type") == "html"  # an HTML field: escaped text inside, nothing active
            assert_text_only(summary.text, expected[title.text], f"{name}.atom summary")
            assert_allowed_html(summary.text, f"{name}.atom summary")
            author = entry.find(f"{ATOM}author/{ATOM}name")
            if author is not None:
                assert author.text == member.name
            seen += 1
    assert seen == 6 * len(VECTORS)


# --- meta tags and JSON-LD -----------------------------------------------------------------------
class Head(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.meta, self.json_ld, self._in_ld = {}, [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and (attrs.get("property") or attrs.get("name")):
            self.meta[attrs.get("property") or attrs.get("name")] = attrs.get("content")
        self._in_ld = tag == "script" and attrs.get("type") == "application/ld+json"

    def handle_endtag(self, tag):
        self._in_ld = False

    def handle_data(self, data):
        if self._in_ld:
            self.json_ld.append(data)


def test_topic_page_meta_tags_and_json_ld_hold_the_vectors_as_text(client, people):
    category = CategoryFactory(slug="meta")
    member = people["member"]
    for vector in VECTORS:
        clear_cache()  # the write-rate counters: one member writes for every vector
        forum_services.profile_update(actor=member, member=member, display_name=vector[:40], bio=vector)
        member.refresh_from_db()
        title = f"Meta {vector}"[:120]
        topic = forum_services.topic_create(actor=member, category=category, title=title, body=f"正文 {vector}")
        forum_services.post_create(actor=people["moderator"], topic=topic, body=vector)
        for who in (None, people["editor"]):  # a guest (cached fragment) and a signed-in reader
            client.logout() if who is None else client.force_login(who)
            page = client.get(topic.get_absolute_url()).content.decode()
            assert_safe(page, ("topic page", vector))
            head = Head()
            head.feed(page)
            assert head.meta["og:title"] == head.meta["twitter:title"] == topic.title
            description = head.meta["og:description"]
            assert description == head.meta["twitter:description"] == head.meta["description"]
            assert description.startswith("正文 ")  # the opening post's text, whatever markup it tried
            assert urlsplit(head.meta["og:url"]).netloc == "testserver"
            assert len(head.json_ld) == 1 and "<" not in head.json_ld[0]  # </script> cannot occur
            data = json.loads(head.json_ld[0])
            assert data["@type"] == "DiscussionForumPosting" and data["headline"] == topic.title
            assert data["text"] == description and data["author"]["name"] == member.name
            assert data["commentCount"] == 1


def test_cms_page_meta_tags_hold_an_editors_vectors_as_text(client, people):
    from cms.models import CollectionPage
    from cms.services import sections_ensure

    _home, collections, _digests = sections_ensure()
    for i, vector in enumerate(VECTORS):
        clear_cache()  # the write-rate counters: one member writes for every vector
        page = CollectionPage(title=f"合集 {vector}", slug=f"m{i}", intro=vector, seo_title=f"SEO {vector}",
                              search_description=f"简介 {vector}", body="[]")
        collections.add_child(instance=page)
        page.save_revision(user=people["editor"]).publish()
        html_page = client.get(page.url).content.decode()
        assert_safe(html_page, ("collection page", vector))
        head = Head()
        head.feed(html_page)
        assert head.meta["og:title"] == head.meta["twitter:title"] == f"SEO {vector}"
        assert head.meta["og:description"] == " ".join(f"简介 {vector}".split())


# --- email ---------------------------------------------------------------------------------------
def test_recall_emails_have_one_line_subjects_and_the_vectors_as_plain_text(client, people,
                                                                          django_capture_on_commit_callbacks):
    from engagement.lifecycle import services as lifecycle
    from engagement.lifecycle.models import Stage
    from tests.engagement.test_lifecycle import History, every

    history = History()
    gone = [history.member(f"gone{i}", joined=300, posts=every(3, 45, 150)) for i in range(len(VECTORS))]
    for i, (member, vector) in enumerate(zip(gone, VECTORS, strict=True)):  # names that also look like formulas
        forum_services.profile_update(actor=member, member=member, display_name=f"{FORMULAS[i % 4]}{vector}"[:40],
                                      bio="")
    lifecycle.lifecycle_classify(today=timezone.localdate())
    moderator = people["moderator"]
    client.force_login(moderator)
    rows = _csv_rows(client.get(reverse("lifecycle:export"), {"stage": Stage.CHURNED}))
    _assert_no_formula(rows, "lifecycle export")
    names = {row[0]: row[1] for row in rows[1:]}
    for member in gone:
        member.refresh_from_db()
        assert names[member.username] == "'" + member.name
    sent = 0
    for i, vector in enumerate(VECTORS):
        clear_cache()  # the write-rate counters: one member writes for every vector
        template = lifecycle.recall_template_save(
            actor=moderator, name=f"t{i}", subject=escaped_template(f"{vector}") + " {name}\r\nBcc: evil@example.com",
            body=escaped_template(f"你好 {vector}") + " {name}")
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            lifecycle.recall_campaign_create(actor=moderator, template=template, name=f"c{i}", stage=Stage.CHURNED)
        by_email = {m.email: m for m in gone}
        for message in mail.outbox:
            assert "\n" not in message.subject and "\r" not in message.subject
            member = by_email.get(message.to[0])
            if member is None:  # another churned member of the history
                continue
            member.refresh_from_db()
            assert message.subject.startswith(" ".join(vector.split())) and member.name in message.subject
            parsed = message.message()
            assert parsed["Bcc"] is None and "evil@example.com" not in parsed.get_all("To")[0]
            assert message.content_subtype == "plain" and not getattr(message, "alternatives", None)
            assert f"你好 {vector} {member.name}" in message.body  # a text part: the text as written
            sent += 1
        notes = Notification.objects.filter(kind=Notification.Kind.SYSTEM, recipient__in=gone)
        for note in notes:
            payload = json.loads(json.dumps(events.notification_created(note, unread=1)))
            assert payload["text"] == events.notification_text(note)  # plain text; live.js sets textContent
        Notification.objects.filter(recipient__in=gone).delete()
        lifecycle.RecallRecipient.objects.all().update(returned_at=timezone.now())
    assert sent >= len(VECTORS)


def test_sign_in_emails_have_one_line_subjects(client, people):
    member = UserFactory(username="forgetful", email="forgetful@example.com")
    client.post(reverse("account_reset_password"), {"email": member.email})
    assert mail.outbox, "no password reset email"
    for message in mail.outbox:
        assert "\n" not in message.subject and "\r" not in message.subject and message.subject.strip()


# --- notifications -------------------------------------------------------------------------------
def test_notifications_hold_member_text_as_text(client, people):
    category = CategoryFactory(slug="notes")
    reader = UserFactory(username="reader")
    member = people["member"]
    for vector in VECTORS:
        clear_cache()  # the write-rate counters: one member writes for every vector
        forum_services.profile_update(actor=member, member=member, display_name=vector[:40], bio="")
        topic = forum_services.topic_create(actor=reader, category=category, title=f"N {vector}"[:120], body="提醒测试正文")
        forum_services.post_create(actor=member, topic=topic, body="@reader 你好")
        forum_services.post_notify_recipients(post_id=topic.posts.order_by("-number").first().pk)
    notes = list(Notification.objects.filter(recipient=reader).select_related("actor", "topic"))
    assert len(notes) >= len(VECTORS)
    for note in notes:
        text = events.notification_text(note)
        payload = json.loads(json.dumps(events.notification_created(note, unread=1)))
        assert payload["text"] == text and note.topic.title in text
        assert urlsplit(payload["url"]).netloc == "" and payload["url"].startswith("/")
    client.force_login(reader)
    page = client.get(reverse("forum:notifications")).content.decode()
    assert_safe(page, "notifications page")
    for vector in VECTORS[-8:]:  # the first page of notifications: the latest ones
        assert html.escape(f"N {vector}"[:120], quote=False) in page.replace("&quot;", '"').replace("&#x27;", "'")


# --- CSV exports ---------------------------------------------------------------------------------
def _csv_rows(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _assert_no_formula(rows, where):
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), (where, cell)


def test_csv_exports_neutralise_formulas_and_keep_the_vectors(client, people):
    from engagement.polls import services as polls
    from tests.engagement.activities import set_level

    member, moderator = people["member"], people["moderator"]
    staff = UserFactory(is_staff=True)
    category = CategoryFactory(slug="csv")
    set_level(member, 6)
    texts = [f"{start}{vector}" for vector in VECTORS for start in FORMULAS]
    topic = forum_services.topic_create(actor=member, category=category, title="CSV 导出测试", body="导出测试正文")
    for i in range(0, len(texts), 10):
        chunk = texts[i:i + 10]
        poll = polls.poll_create(actor=member, topic=topic if i == 0 else
                                 forum_services.topic_create(actor=member, category=category, title=f"CSV 导出 {i}",
                                                             body="导出测试正文"),
                                 question=chunk[0][:200], options=[t[:100] for t in chunk], max_choices=1)
        client.force_login(moderator)
        rows = _csv_rows(client.get(reverse("polls:export", args=[poll.pk])))
        _assert_no_formula(rows, "poll export")
        cells = [row[1] for row in rows[1:len(chunk) + 1]]
        assert cells == ["'" + t[:100] for t in chunk]
    # the audit log: a moderator's reasons (what every staff action writes through audit_record)
    from audit.log import audit_record

    for text in texts:
        audit_record(actor=moderator, action="test.reason", reason=text, target=topic)
    client.force_login(staff)
    rows = _csv_rows(client.get(reverse("forum:mod_audit"), {"format": "csv"}))
    _assert_no_formula(rows, "audit export")
    reason_column = rows[0].index("reason")
    reasons = {row[reason_column] for row in rows[1:]}
    assert {"'" + t for t in texts} <= reasons

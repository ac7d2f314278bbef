"""RSS and Atom feeds: valid XML, only public content."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from cms.models import CollectionPage, DigestPage
from forum import services
from forum.moderation import registry
from tests.cms.conftest import publish_collection
from tests.factories import TopicFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def rss_items(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)
    assert root.tag == "rss" and root.find("channel/title").text
    return [(i.find("title").text, i.find("link").text) for i in root.findall("channel/item")]


def atom_entries(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return [(e.find(f"{ATOM}title").text, e.find(f"{ATOM}link").get("href")) for e in root.findall(f"{ATOM}entry")]


def test_collection_feeds_list_published_collections_only(client, sections):
    _home, collections, _d = sections
    page = publish_collection(collections, title="公开合集 <&> public", slug="pub")
    draft = CollectionPage(title="草稿合集 draft", slug="draft", live=False)
    collections.add_child(instance=draft)
    draft.save_revision()
    expected = [("公开合集 <&> public", f"http://testserver{page.url}")]
    assert rss_items(client, "cms:feed_collections_rss") == expected
    assert atom_entries(client, "cms:feed_collections_atom") == expected


def test_digest_feeds(client, sections):
    _home, _c, digests = sections
    for i, title in enumerate(["第一期 one", "第二期 two"]):
        page = DigestPage(title=title, slug=f"w{i}", week_start=datetime.date(2026, 1, 5) + datetime.timedelta(weeks=i))
        digests.add_child(instance=page)
        page.save_revision().publish()
    assert [t for t, _l in rss_items(client, "cms:feed_digests_rss")] == ["第二期 two", "第一期 one"]
    assert [t for t, _l in atom_entries(client, "cms:feed_digests_atom")] == ["第二期 two", "第一期 one"]


def test_featured_feeds_skip_hidden_and_private(client, editor, moderator, private_category):
    from tests.factories import UserFactory

    shown = TopicFactory.create(title="精华 shown")
    hidden = TopicFactory.create(title="精华 hidden")
    staff = UserFactory(is_staff=True)
    private = TopicFactory.create(author=staff, category=private_category, title="精华 private")
    services.topic_feature(actor=editor, topic=shown, featured=True, note="值得一读")
    services.topic_feature(actor=editor, topic=hidden, featured=True)
    services.topic_feature(actor=staff, topic=private, featured=True)
    registry.run("topic", "hide", actor=moderator, obj=hidden)
    link = f"http://testserver{shown.get_absolute_url()}"
    assert rss_items(client, "cms:feed_featured_rss") == [("精华 shown", link)]
    assert atom_entries(client, "cms:feed_featured_atom") == [("精华 shown", link)]


VECTORS = ['<img src=x onerror=alert(1)>', '<script>alert(2)</script>', '<a href="javascript:alert(3)">x</a>',
           '<svg onload=alert(4)>', '"><iframe src=data:text/html,<script>alert(5)</script>>']


@pytest.mark.parametrize("vector", VECTORS)
def test_a_featured_note_reaches_feed_readers_as_text_not_markup(client, editor, vector):
    """Readers render RSS <description> and Atom <summary type="html"> as HTML: what they get after
    unescaping the XML must hold no element at all, only the note's text."""
    from html.parser import HTMLParser

    topic = TopicFactory.create(title="精华 with a note")
    services.topic_feature(actor=editor, topic=topic, featured=True, note=f"编辑点评 {vector}")

    class Elements(HTMLParser):
        def __init__(self):
            super().__init__()
            self.tags = []

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)

    def elements(html):
        parser = Elements()
        parser.feed(html)
        return parser.tags

    rss = ET.fromstring(client.get(reverse("cms:feed_featured_rss")).content)
    description = rss.find("channel/item/description").text  # the HTML a reader would insert
    assert elements(description) == [] and vector in __import__("html").unescape(description)
    atom = ET.fromstring(client.get(reverse("cms:feed_featured_atom")).content)
    summary = atom.find(f"{ATOM}entry/{ATOM}summary")
    assert summary.get("type") == "html"
    assert elements(summary.text) == []

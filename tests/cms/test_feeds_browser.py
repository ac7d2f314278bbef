"""Feeds in a naive feed reader (issue 19): every RSS <description> and Atom <summary> of every feed
(featured topics, collections, digests), written with the suite's XSS vectors by a member, an editor
and a moderator, is inserted with innerHTML into a page in Chromium, and nothing may run. A control
snippet inserted the same way proves the harness sees script that does run. Screenshot:
artifacts/browser/feeds-reader.png. Run as its own pytest invocation, with DJANGO_ALLOW_ASYNC_UNSAFE=true."""

import datetime
import os

import pytest
from django.contrib.auth.models import Group

from tests.browser import chromium_missing_reason
from tests.cms.test_cms_browser import site_tree  # noqa: F401  (fixture)
from tests.conftest import clear_cache
from tests.factories import CategoryFactory, UserFactory
from tests.forum.test_ugc_xss import VECTORS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(chromium_missing_reason() is not None, reason=chromium_missing_reason() or ""),
]

FEEDS = ["featured.rss", "featured.atom", "collections.rss", "collections.atom", "digests.rss", "digests.atom"]
CONTROL = "<img src=x onerror=alert('control')>"

# what a naive reader does: parse the XML, take each item's HTML, insert it with innerHTML
READER = """([feeds, control]) => {
  const out = document.getElementById("reader");
  let items = 0;
  for (const [name, xml] of feeds) {
    const doc = new DOMParser().parseFromString(xml, "application/xml");
    if (doc.querySelector("parsererror")) { throw new Error(name + " is not XML"); }
    for (const node of doc.querySelectorAll("item > description, entry > summary, entry > content")) {
      const div = document.createElement("article");
      div.innerHTML = node.textContent;
      out.appendChild(div);
      items += 1;
    }
  }
  const probe = document.createElement("article");
  probe.id = "control";
  probe.innerHTML = control;
  out.appendChild(probe);
  return items;
}"""


def _world():
    from cms.models import CollectionPage, DigestPage
    from cms.services import sections_ensure
    from engagement.levels.models import MemberLevel
    from forum import services

    _home, collections, digests = sections_ensure()
    member = UserFactory(username="writer")
    MemberLevel.objects.create(member=member, level_number=6)
    editor, moderator = UserFactory(), UserFactory()
    editor.groups.add(Group.objects.get(name="Editors"))
    moderator.groups.add(Group.objects.get(name="Moderators"))
    category = CategoryFactory(slug="reader")
    for i, vector in enumerate(VECTORS):
        clear_cache()  # the write-rate counters: one member writes for every vector
        services.profile_update(actor=member, member=member, display_name=vector[:40], bio=vector)
        topic = services.topic_create(actor=member, category=category, title=f"T{i} {vector}"[:120], body=vector)
        services.topic_feature(actor=editor if i % 2 else moderator, topic=topic, featured=True, note=vector)
        page = CollectionPage(title=f"合集 {vector}", slug=f"c{i}", intro=vector, search_description=vector, body="[]")
        collections.add_child(instance=page)
        page.save_revision(user=editor).publish()
        digest = DigestPage(title=f"第{i}期 {vector}", slug=f"d{i}", search_description=vector,
                            week_start=datetime.date(2026, 1, 5) + datetime.timedelta(weeks=i))
        digests.add_child(instance=digest)
        digest.save_revision(user=editor).publish()


def test_feed_items_run_no_script_in_a_naive_reader(site_tree, browser, live_server, artifacts_dir,  # noqa: F811
                                                    settings):
    settings.HUOLI = {**settings.HUOLI, "SPAM_MAX_LINKS": None, "SPAM_DUPLICATE_HOURS": 0}
    _world()
    context = browser.new_context(viewport={"width": 360, "height": 800})
    feeds = []
    for name in FEEDS:
        response = context.request.get(f"{live_server.url}/feeds/{name}")
        assert response.ok, (name, response.status)
        feeds.append((name, response.text()))
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    # a blank page with no Content-Security-Policy: only the markup itself could stop a script
    page.set_content("<!doctype html><meta charset=utf-8><title>reader</title><main id=reader></main>")
    page.evaluate("""() => { window.__xss = 0;
                             window.alert = (m) => { window.__xss += 1; window.__last = String(m); }; }""")
    items = page.evaluate(READER, [feeds, CONTROL])
    assert items == len(FEEDS) * len(VECTORS)
    page.wait_for_timeout(1500)  # image errors and frame loads fire asynchronously
    folder = os.path.join(artifacts_dir, "browser")
    os.makedirs(folder, exist_ok=True)
    page.screenshot(path=os.path.join(folder, "feeds-reader.png"), full_page=True)
    ran = page.evaluate("() => [window.__xss, window.__last]")
    # the control snippet ran exactly once: the harness sees script; nothing from any feed did
    assert ran == [1, "control"], ran
    assert dialogs == [], dialogs
    inserted = page.evaluate("""() => Array.from(document.querySelectorAll('#reader article:not(#control) *'))
                                           .map(e => e.tagName.toLowerCase())""")
    assert inserted == [], inserted  # the items are text: not one element reached the reader's page
    context.close()

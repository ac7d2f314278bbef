"""The forum's template slots (forum.hooks.template_slots), filled by the apps above it: with every app
installed, the pages carry what each app adds, in order; tests/test_forum_only.py renders them with none."""

import pytest
from django.test import Client

from engagement.levels.models import MemberLevel
from forum import services
from forum.hooks import template_slots
from tests.factories import CategoryFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_every_slot_is_filled_on_the_full_site_and_unknown_ones_are_refused():
    assert [slot for slot in template_slots.SLOTS if not template_slots.filled(slot)] == []
    with pytest.raises(KeyError):
        template_slots.register("no_such_slot", lambda context: "")


def test_the_apps_fill_the_header_navigation_and_assets_in_order():
    member = UserFactory()
    client = Client()
    client.force_login(member)
    html = client.get("/").content.decode()
    css = [html.index(f"/static/{path}") for path in ("search/search.css", "engagement/engagement.css",
                                                       "cms/cms.css")]
    assert css == sorted(css)
    assert 'role="search"' in html and 'data-suggest-url="/search/suggest/"' in html
    nav = [html.index(f'href="{url}"') for url in ("/latest/", "/featured/", "/events/", "/leaderboard/")]
    assert nav == sorted(nav)
    assert 'href="/checkin/"' in html and 'href="/me/points/"' in html
    scripts = [html.index(f"/static/{path}") for path in ("realtime/live.js", "search/search-suggest.js")]
    assert scripts == sorted(scripts)
    assert 'href="/mod/' not in html.split("</nav>")[0].split("site-nav")[1] or member.is_staff


def test_per_row_slots_show_the_flair_the_featured_mark_and_the_controls():
    staff = UserFactory(is_staff=True)
    category = CategoryFactory()
    topic = TopicFactory.create(category=category, title="被精选的话题")
    services.topic_feature(actor=staff, topic=topic, featured=True, note="好文")
    MemberLevel.objects.create(member=topic.author, level_number=3)
    client = Client()
    client.force_login(staff)
    listing = client.get(category.get_absolute_url()).content.decode()
    assert "badge-featured" in listing  # cms: the featured mark after the title
    page = client.get(topic.get_absolute_url()).content.decode()
    controls = page.split('class="feature-controls"')[1][:1500]
    assert f'action="/featured/t/{topic.pk}/"' in controls  # cms: the editor's controls under the title
    assert 'name="csrfmiddlewaretoken" value="' in controls and 'value=""' not in controls.split("csrf")[1][:80]
    name = page.split('class="member-name"')[1][:600]
    assert 'class="level-tag lv-3"' in name  # engagement: the level next to the author's name

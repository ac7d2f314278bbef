"""Live replies from the page's own partial (issue 15): the broadcast fragment is
forum/includes/post.html as a guest's page shows it, the reader's own rendering comes from
forum:post_fragment (vote, bookmark, quote, report with their permissions), and post.created carries
the topic's reply count for the live counter."""

import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import translation

from forum import services
from forum.moderation import hide
from realtime.hooks import render_post_fragment
from realtime.selectors import topic_events_after
from tests.factories import CategoryFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def _li(html, post_id):
    start = html.index(f'data-post-id="{post_id}"')
    start = html.rindex("<li", 0, start)
    return " ".join(html[start:html.index("</li>", start) + 5].split())


def test_the_broadcast_fragment_is_the_guest_page_rendering(member, other_member, category, settings):
    services.member_joined(member=other_member)
    topic = TopicFactory.create(author=member, category=category)
    reply = services.post_create(actor=other_member, topic=topic, body="**live** reply")
    reply = type(reply).objects.select_related("author", "reply_to", "topic__category").get(pk=reply.pk)
    with translation.override(settings.LANGUAGE_CODE):
        page = Client(HTTP_ACCEPT_LANGUAGE=settings.LANGUAGE_CODE).get(topic.get_absolute_url()).content.decode()
    fragment = " ".join(render_post_fragment(reply).split())
    assert fragment == _li(page, reply.pk)
    assert "csrfmiddlewaretoken" not in fragment and "<strong>live</strong>" in fragment


def test_the_readers_own_rendering_has_the_full_action_bar(member, other_member, category):
    services.member_joined(member=member)
    services.member_joined(member=other_member)
    topic = TopicFactory.create(author=member, category=category)
    reply = services.post_create(actor=other_member, topic=topic, body="a reply to act on")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(member)
    response = client.get(f"/p/{reply.pk}/fragment/")
    html = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert html.lstrip().startswith("<li") and f'data-post-id="{reply.pk}"' in html
    assert f'hx-post="/p/{reply.pk}/vote/"' in html and "csrfmiddlewaretoken" in html  # vote
    assert f'action="/p/{reply.pk}/bookmark/"' in html  # bookmark
    assert f'data-quote-url="/p/{reply.pk}/quote/"' in html  # quote
    assert f'href="/report/post/{reply.pk}/"' in html  # report
    # the author of the reply: no vote buttons, no report, but edit
    own = Client(HTTP_ACCEPT_LANGUAGE="en")
    own.force_login(other_member)
    own_html = own.get(f"/p/{reply.pk}/fragment/").content.decode()
    assert f'hx-post="/p/{reply.pk}/vote/"' not in own_html and f"/p/{reply.pk}/edit/" in own_html
    # a guest gets the sign-in links, as on the page
    guest = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/p/{reply.pk}/fragment/").content.decode()
    assert "Sign in to vote" in guest and "csrfmiddlewaretoken" not in guest


def test_the_readers_rendering_keeps_the_topics_permissions(member, moderator, category):
    group = Group.objects.create(name="Inner circle")
    private = CategoryFactory(read_group=group)
    staff = UserFactory(is_staff=True)
    secret = TopicFactory.create(author=staff, category=private)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(member)
    assert client.get(f"/p/{secret.posts.get(number=1).pk}/fragment/").status_code == 403
    topic = TopicFactory.create(category=category)
    opening = topic.posts.get(number=1)
    hide.post_hide(actor=moderator, post=opening, hidden=True, reason="spam")
    html = client.get(f"/p/{opening.pk}/fragment/").content.decode()
    assert "hidden by a moderator" in html and "post-body" not in html
    assert client.get("/p/999999/fragment/").status_code == 404


def test_post_created_carries_the_reply_count(member, other_member, category, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        topic = TopicFactory.create(author=member, category=category)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_create(actor=other_member, topic=topic, body="one")
    with django_capture_on_commit_callbacks(execute=True):
        services.post_create(actor=other_member, topic=topic, body="two")
    events = [__import__("json").loads(text) for _seq, _type, text in topic_events_after(topic_id=topic.pk, after=0,
                                                                                           limit=10)]
    assert [e.get("reply_count") for e in events] == [0, 1, 2]
    assert all(re.search(r'data-post-id="\d+"', e["fragment"]) for e in events)


def test_the_topic_page_has_the_live_counter_and_fragment_url(member, category):
    topic = TopicFactory.create(category=category)
    html = Client(HTTP_ACCEPT_LANGUAGE="en").get(topic.get_absolute_url()).content.decode()
    assert 'data-live-reply-count="0"' in html and 'data-post-fragment-url="/p/0/fragment/"' in html

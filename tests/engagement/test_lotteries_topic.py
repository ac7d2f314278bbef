"""Lottery cards on the topic page (forum.hooks.topic_sections key "lottery"): shown for guests and
members when a lottery names the topic, entering from the card, Topic.sections kept right (create,
edit moving the topic, delete, the data migration), and the live-refresh fragment."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from engagement.lotteries import services
from engagement.lotteries.models import Lottery
from forum.models import Category, Topic
from tests.engagement.activities import english  # noqa: F401  (autouse)
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic(category):
    return TopicFactory.create(category=category, title="Anniversary giveaway")


def make_lottery(staff, topic, **overrides):
    now = timezone.now()
    fields = dict(title="Keyboard draw", prize="One mechanical keyboard", winners_count=1, topic=topic,
                  opens_at=now - datetime.timedelta(hours=1), closes_at=now + datetime.timedelta(hours=1))
    fields.update(overrides)
    return services.lottery_create(actor=staff, **fields)


def fresh(topic):
    return Topic.objects.get(pk=topic.pk)


def test_card_on_the_topic_page_for_guests(client, staff, topic):
    lottery = make_lottery(staff, topic)
    assert fresh(topic).sections == ["lottery"]
    html = client.get(topic.get_absolute_url()).content.decode()
    assert "Lottery: " in html and "Keyboard draw" in html and "One mechanical keyboard" in html
    assert f'data-live-refresh="lottery:{lottery.pk}"' in html
    assert f'data-fragment-url="/lotteries/{lottery.pk}/fragment/?next=' in html
    assert "Sign in to enter" in html and "Open for entries" in html


def test_member_enters_from_the_card_and_comes_back(client, staff, topic, member):
    lottery = make_lottery(staff, topic)
    client.force_login(member)
    html = client.get(topic.get_absolute_url()).content.decode()
    assert f'id="enter-lottery-{lottery.pk}"' in html
    response = client.post(reverse("lotteries:enter", args=[lottery.pk]), {"next": topic.get_absolute_url()},
                           follow=True)
    assert response.redirect_chain[-1][0] == topic.get_absolute_url()
    html = response.content.decode()
    assert f"Your ticket is 1:{member.username}" in html and f"You entered with ticket 1:{member.username}." in html
    assert "1 entry so far" in html
    # a foreign next is ignored: back to the lottery's page
    other = UserFactory()
    client.force_login(other)
    response = client.post(reverse("lotteries:enter", args=[lottery.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == lottery.get_absolute_url()


def test_guests_see_new_entries_and_the_draw(client, staff, topic, member):
    lottery = make_lottery(staff, topic)
    assert "0 entries so far" in client.get(topic.get_absolute_url()).content.decode()
    services.lottery_enter(actor=member, lottery=lottery)
    assert "1 entry so far" in client.get(topic.get_absolute_url()).content.decode()
    Lottery.objects.filter(pk=lottery.pk).update(closes_at=timezone.now() - datetime.timedelta(seconds=1))
    services.lottery_draw(actor=staff, lottery=Lottery.objects.get(pk=lottery.pk))
    html = client.get(topic.get_absolute_url()).content.decode()
    assert "Winners" in html and f"1:{member.username}" in html


def test_moving_and_deleting_keep_the_sections_right(staff, topic, category):
    other = TopicFactory.create(category=category, title="Another topic")
    lottery = make_lottery(staff, topic)
    services.lottery_edit(actor=staff, lottery=lottery, reason="announced elsewhere", topic=other)
    assert fresh(topic).sections == [] and fresh(other).sections == ["lottery"]
    Lottery.objects.get(pk=lottery.pk).delete()
    assert fresh(other).sections == []


def test_a_lottery_without_topic_marks_nothing(staff, topic):
    make_lottery(staff, None)
    assert fresh(topic).sections == []


def test_data_migration_marks_existing_topics(staff, topic):
    make_lottery(staff, topic)
    Topic.objects.update(sections=[])
    migration = importlib.import_module("engagement.lotteries.migrations.0002_topic_sections")
    migration.forwards(apps, None)
    assert fresh(topic).sections == ["lottery"]
    migration.backwards(apps, None)
    assert fresh(topic).sections == []


def test_polls_and_lotteries_share_the_topic(staff, topic):
    from engagement.polls import services as poll_services

    poll_services.poll_create(actor=staff, topic=topic, question="Which prize next?", options=["Mouse", "Mug"])
    make_lottery(staff, topic)
    assert fresh(topic).sections == ["polls", "lottery"]


# --- the live-refresh fragment --------------------------------------------------------------------
def test_fragment_is_the_card_alone(client, staff, topic, member):
    lottery = make_lottery(staff, topic)
    services.lottery_enter(actor=member, lottery=lottery)
    url = reverse("lotteries:fragment", args=[lottery.pk]) + "?next=" + topic.get_absolute_url()
    response = client.get(url)
    html = response.content.decode().strip()
    assert response.status_code == 200 and "private" in response["Cache-Control"]
    assert html.startswith('<section class="card lottery-card"') and html.endswith("</section>")
    assert f'data-live-refresh="lottery:{lottery.pk}"' in html and "<html" not in html
    client.force_login(member)
    html = client.get(url).content.decode()
    assert f"You entered with ticket 1:{member.username}." in html


def test_fragment_etag_changes_with_the_draw(client, staff, topic, member):
    lottery = make_lottery(staff, topic)
    services.lottery_enter(actor=member, lottery=lottery)
    client.force_login(member)
    url = reverse("lotteries:fragment", args=[lottery.pk])
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    Lottery.objects.filter(pk=lottery.pk).update(closes_at=timezone.now() - datetime.timedelta(seconds=1))
    services.lottery_draw(actor=staff, lottery=Lottery.objects.get(pk=lottery.pk))
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and "You won!" in response.content.decode()


def test_fragment_has_the_topics_permissions(client, staff, member):
    private = Category.objects.create(name="Staff room", slug="staff-room",
                                      read_group=Group.objects.get(name="Moderators"))
    topic = TopicFactory.create(author=staff, category=private, title="Staff-only draw")
    lottery = make_lottery(staff, topic)
    url = reverse("lotteries:fragment", args=[lottery.pk])
    assert client.get(url).status_code == 403
    client.force_login(member)
    assert client.get(url).status_code == 403
    client.force_login(staff)
    assert client.get(url).status_code == 200
    assert client.get(reverse("lotteries:fragment", args=[999999])).status_code == 404


def test_card_says_when_a_reply_is_required(client, staff, topic):
    make_lottery(staff, topic, require_reply=True)
    html = client.get(topic.get_absolute_url()).content.decode()
    assert "You must have replied in" in html


def test_guests_share_the_card_fragment_until_the_lottery_changes(client, staff, topic, member,
                                                                 django_assert_num_queries):
    lottery = make_lottery(staff, topic)
    url = reverse("lotteries:fragment", args=[lottery.pk])
    first = client.get(url)
    with django_assert_num_queries(1):
        assert client.get(url).content == first.content
    services.lottery_enter(actor=member, lottery=lottery)
    assert "1 entry so far" in client.get(url).content.decode()


def test_guests_cached_card_changes_when_the_window_opens(client, staff, topic, django_capture_on_commit_callbacks,
                                                           monkeypatch):
    """Opening writes nothing: a task at opens_at retires the guests' cached page, which shows the
    lottery as open from then on."""
    from engagement.lotteries import tasks

    scheduled = []
    monkeypatch.setattr(tasks.lottery_opened_task, "apply_async",
                        lambda args, eta: scheduled.append((args, eta)))
    now = timezone.now()
    opens_at = now + datetime.timedelta(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        lottery = make_lottery(staff, topic, opens_at=opens_at, closes_at=now + datetime.timedelta(hours=2))
    assert scheduled == [([lottery.pk], opens_at)]
    assert "Open for entries" not in client.get(topic.get_absolute_url()).content.decode()  # cached now
    later = now + datetime.timedelta(minutes=6)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert "Open for entries" not in client.get(topic.get_absolute_url()).content.decode()  # still the cache
    with django_capture_on_commit_callbacks(execute=True):
        tasks.lottery_opened_task(lottery.pk)
    assert "Open for entries" in client.get(topic.get_absolute_url()).content.decode()

"""Polls on the forum's pages, through forum.hooks: the topic page's poll widget (guests and
members, voting from the page, with and without htmx), Topic.sections kept right (create, delete,
the data migration), the live-refresh fragment (attributes, permissions, ETag), and the optional
poll of the new-topic form (level privilege enforced, all or nothing)."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from engagement.polls import services
from engagement.polls.models import Ballot, Poll
from forum.errors import InvalidInput
from forum.models import Category, Topic
from tests.engagement.activities import (
    english,  # noqa: F401  (autouse)
    set_level,
)
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic(author, category):
    return TopicFactory.create(author=author, category=category, title="Weekend plans")


def make_poll(actor, topic, **overrides):
    fields = dict(question="Where do we go?", options=["Hills", "Cinema", "Board games"])
    fields.update(overrides)
    return services.poll_create(actor=actor, topic=topic, **fields)


def option_ids(poll):
    return list(poll.options.order_by("position").values_list("pk", flat=True))


def fresh(topic):
    return Topic.objects.get(pk=topic.pk)


# --- the topic page --------------------------------------------------------------------------------
def test_a_topic_without_polls_carries_no_section(client, topic):
    assert fresh(topic).sections == []
    html = client.get(topic.get_absolute_url()).content.decode()
    assert "data-live-refresh" not in html and 'class="card poll"' not in html


def test_guest_sees_the_poll_and_is_asked_to_sign_in(client, author, topic):
    poll = make_poll(author, topic)
    assert fresh(topic).sections == ["polls"]
    html = client.get(topic.get_absolute_url()).content.decode()
    assert "Poll: Where do we go?" in html and "Board games" in html
    assert f'data-live-refresh="poll:{poll.pk}"' in html
    assert f'data-fragment-url="/polls/{poll.pk}/fragment/?next=' in html
    assert 'name="option"' not in html  # no voting form for guests
    assert "Sign in to vote." in html and "next=" + topic.get_absolute_url().replace("/", "%2F") in html


def test_member_votes_from_the_topic_page(client, author, topic, member):
    poll = make_poll(author, topic)
    client.force_login(member)
    html = client.get(topic.get_absolute_url()).content.decode()
    assert html.count('name="option"') == 3 and f'action="/polls/{poll.pk}/vote/"' in html
    response = client.post(reverse("polls:vote", args=[poll.pk]),
                           {"option": option_ids(poll)[1], "next": topic.get_absolute_url()}, follow=True)
    assert response.redirect_chain[-1][0] == topic.get_absolute_url()
    html = response.content.decode()
    assert "Your vote is counted." in html and "your choice" in html and "1 vote · 100%" in html
    assert Ballot.objects.filter(poll=poll, member=member).exists()


def test_vote_with_htmx_swaps_the_widget_with_its_message(client, author, topic, member):
    poll = make_poll(author, topic)
    client.force_login(member)
    url = reverse("polls:vote", args=[poll.pk])
    response = client.post(url, {"option": option_ids(poll)[0], "next": topic.get_absolute_url()},
                           HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith(f'<section class="card poll" id="poll-{poll.pk}"')
    assert "Your vote is counted." in html and "1 vote · 100%" in html
    response = client.post(url, {"option": option_ids(poll)[1]}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409 and "You have already voted in this poll." in response.content.decode()
    # the message was shown inside the widget, not queued for the next page
    assert "You have already voted" not in client.get(topic.get_absolute_url()).content.decode()


def test_the_guests_cached_page_shows_new_votes(client, author, topic, member):
    poll = make_poll(author, topic)
    assert "0 voters" in client.get(topic.get_absolute_url()).content.decode()
    services.poll_vote(actor=member, poll=poll, option_ids=option_ids(poll)[:1])
    assert "1 voter" in client.get(topic.get_absolute_url()).content.decode()


def test_the_author_may_add_another_poll_from_the_page(client, author, topic, member):
    make_poll(author, topic)
    client.force_login(author)
    assert reverse("polls:new", args=[topic.pk]) in client.get(topic.get_absolute_url()).content.decode()
    client.force_login(member)
    assert reverse("polls:new", args=[topic.pk]) not in client.get(topic.get_absolute_url()).content.decode()


def test_the_author_of_a_topic_without_polls_finds_add_a_poll(client, author, topic, member):
    url = reverse("polls:new", args=[topic.pk])
    assert url not in client.get(topic.get_absolute_url()).content.decode()  # guests
    client.force_login(member)
    assert url not in client.get(topic.get_absolute_url()).content.decode()  # not the author
    client.force_login(author)
    page = client.get(topic.get_absolute_url()).content.decode()
    assert f'href="{url}">Add a poll</a>' in page
    response = client.post(url, {"question": "Which day?", "options": "Saturday\nSunday",
                                 "results_visibility": "always", "max_choices": "1"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert fresh(topic).sections == ["polls"] and Poll.objects.filter(topic=topic).count() == 1
    page = client.get(topic.get_absolute_url()).content.decode()
    assert f'href="{url}">Add a poll</a>' not in page and "Which day?" in page


def test_deleting_the_last_poll_clears_the_section(author, topic):
    first, second = make_poll(author, topic), make_poll(author, topic, question="Another?")
    first.delete()
    assert fresh(topic).sections == ["polls"]
    second.delete()
    assert fresh(topic).sections == []


def test_data_migration_marks_existing_topics_with_polls(author, topic, category):
    make_poll(author, topic)
    other = TopicFactory.create(author=author, category=category, title="No poll here")
    Topic.objects.update(sections=[])
    migration = importlib.import_module("engagement.polls.migrations.0002_topic_sections")
    migration.forwards(apps, None)
    assert fresh(topic).sections == ["polls"] and fresh(other).sections == []
    migration.forwards(apps, None)  # idempotent
    assert fresh(topic).sections == ["polls"]
    migration.backwards(apps, None)
    assert fresh(topic).sections == []


# --- the live-refresh fragment --------------------------------------------------------------------
def test_fragment_is_the_widget_alone_for_the_reader(client, author, topic, member):
    poll = make_poll(author, topic)
    url = reverse("polls:fragment", args=[poll.pk]) + "?next=" + topic.get_absolute_url()
    response = client.get(url)
    html = response.content.decode().strip()
    assert response.status_code == 200
    assert html.startswith(f'<section class="card poll" id="poll-{poll.pk}"') and html.endswith("</section>")
    assert f'data-live-refresh="poll:{poll.pk}"' in html and "<html" not in html and "stylesheet" not in html
    assert "private" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]
    client.force_login(member)
    html = client.get(url).content.decode()
    assert html.count('name="option"') == 3
    assert f'name="next" value="{topic.get_absolute_url()}"' in html


def test_fragment_etag_answers_not_modified_until_the_poll_changes(client, author, topic, member):
    poll = make_poll(author, topic)
    url = reverse("polls:fragment", args=[poll.pk])
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    services.poll_vote(actor=member, poll=poll, option_ids=option_ids(poll)[:1])
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag and "1 voter" in response.content.decode()


def test_fragment_defaults_to_the_topic_and_ignores_foreign_next(client, author, topic, member):
    poll = make_poll(author, topic)
    client.force_login(member)
    html = client.get(reverse("polls:fragment", args=[poll.pk]) + "?next=https://evil.example/").content.decode()
    assert "evil.example" not in html and f'name="next" value="{topic.get_absolute_url()}"' in html


def test_fragment_has_the_topics_permissions(client, author, member):
    private = Category.objects.create(name="Staff room", slug="staff-room",
                                      read_group=Group.objects.get(name="Moderators"))
    staff = UserFactory(is_staff=True)
    topic = TopicFactory.create(author=staff, category=private, title="Private plans")
    poll = make_poll(staff, topic)
    url = reverse("polls:fragment", args=[poll.pk])
    assert client.get(url).status_code == 403
    client.force_login(member)
    assert client.get(url).status_code == 403
    client.force_login(staff)
    assert client.get(url).status_code == 200
    assert client.get(reverse("polls:fragment", args=[999999])).status_code == 404


def test_poll_page_fragment_keeps_the_voter_lists(client, author, topic, member):
    poll = make_poll(author, topic)
    services.poll_vote(actor=member, poll=poll, option_ids=option_ids(poll)[:1])
    page = client.get(reverse("polls:detail", args=[poll.pk])).content.decode()
    assert "voters=1" in page and member.name in page
    fragment = client.get(reverse("polls:fragment", args=[poll.pk]) + "?voters=1").content.decode()
    assert member.name in fragment


# --- a poll in the new-topic form -------------------------------------------------------------------
def new_topic_data(category, **poll):
    data = {"category": category.pk, "title": "Team dinner this Friday", "body": "Let us choose a place.",
            "tags": "food"}
    data.update({f"poll-{k}": v for k, v in poll.items()})
    data.setdefault("poll-results_visibility", "always")
    return data


def test_the_poll_section_is_offered_only_with_the_level_privilege(client, author, member):
    client.force_login(author)
    html = client.get(reverse("forum:topic_new")).content.decode()
    assert "Add a poll" in html and 'name="poll-question"' in html
    set_level(member, 1)
    client.force_login(member)
    assert 'name="poll-question"' not in client.get(reverse("forum:topic_new")).content.decode()


def test_topic_created_with_its_poll(client, author, category):
    client.force_login(author)
    closes = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("forum:topic_new"), new_topic_data(
        category, question="Where shall we eat?", options="Hotpot\nDumplings\n\nNoodles", max_choices=2,
        is_anonymous="on", results_visibility="after_vote", closes_at=closes))
    topic = Topic.objects.get(title="Team dinner this Friday")
    assert response.status_code == 302 and response["Location"] == topic.get_absolute_url()
    poll = Poll.objects.get(topic=topic)
    assert poll.author == author and poll.question == "Where shall we eat?" and poll.max_choices == 2
    assert [o.text for o in poll.options.order_by("position")] == ["Hotpot", "Dumplings", "Noodles"]
    assert poll.is_anonymous and poll.results_visibility == "after_vote" and poll.closes_at is not None
    assert topic.sections == ["polls"]
    assert "Poll: Where shall we eat?" in client.get(topic.get_absolute_url()).content.decode()


def test_empty_poll_fields_publish_a_topic_without_a_poll(client, author, category):
    client.force_login(author)
    response = client.post(reverse("forum:topic_new"), new_topic_data(category, question="", options="  \n"))
    assert response.status_code == 302
    topic = Topic.objects.get(title="Team dinner this Friday")
    assert not Poll.objects.exists() and topic.sections == []


@pytest.mark.parametrize("poll, message", [
    ({"question": "Where?", "options": "Only one"}, "A poll needs at least two options."),
    ({"question": "", "options": "A\nB"}, "Ask a question."),
    ({"question": "Where?", "options": "A\nB", "max_choices": 3},
     "Choices per voter must be between 1 and the number of options (2)."),
    ({"question": "Where?", "options": "A\nB", "closes_at": "2020-01-01T10:00"}, "The close time must be in the future."),
])
def test_a_bad_poll_writes_neither_topic_nor_poll_and_keeps_the_input(client, author, category, poll, message):
    client.force_login(author)
    response = client.post(reverse("forum:topic_new"), new_topic_data(category, **poll))
    html = response.content.decode()
    assert response.status_code == 400 and message in html
    assert not Topic.objects.exists() and not Poll.objects.exists()
    assert 'value="Team dinner this Friday"' in html and "Let us choose a place." in html
    assert "<details class=\"poll-form-section\" open>" in html
    if poll["options"].strip():
        assert poll["options"].splitlines()[0] in html


def test_a_bad_topic_keeps_the_poll_typed(client, author, category):
    client.force_login(author)
    data = new_topic_data(category, question="Where shall we eat?", options="Hotpot\nNoodles")
    data["title"] = ""
    response = client.post(reverse("forum:topic_new"), data)
    html = response.content.decode()
    assert response.status_code == 400 and not Topic.objects.exists() and not Poll.objects.exists()
    assert 'value="Where shall we eat?"' in html and "Hotpot\nNoodles" in html


def test_the_level_privilege_is_enforced_not_only_hidden(client, member, category):
    set_level(member, 1)
    client.force_login(member)
    response = client.post(reverse("forum:topic_new"), new_topic_data(category, question="Q?", options="A\nB"))
    assert response.status_code == 400 and "Creating polls needs level" in response.content.decode()
    assert not Topic.objects.exists() and not Poll.objects.exists()


def test_a_refusal_when_saving_the_poll_rolls_the_topic_back(client, author, category, monkeypatch):
    def refuse(**kwargs):
        raise InvalidInput("The poll service said no.", field="options")

    monkeypatch.setattr(services, "poll_create", refuse)
    client.force_login(author)
    response = client.post(reverse("forum:topic_new"), new_topic_data(category, question="Q?", options="A\nB"))
    assert response.status_code == 400 and "The poll service said no." in response.content.decode()
    assert not Topic.objects.exists() and not Poll.objects.exists()


def test_guests_and_the_plain_topic_form_are_unchanged(client, member, category):
    set_level(member, 1)
    client.force_login(member)
    response = client.post(reverse("forum:topic_new"), new_topic_data(category))
    assert response.status_code == 302 and Topic.objects.get().sections == []
    client.logout()
    assert client.get(reverse("forum:topic_new")).status_code == 302  # sign in first


def test_a_section_nobody_renders_is_skipped(client, author, topic):
    make_poll(author, topic)
    Topic.objects.filter(pk=topic.pk).update(sections=["gone-app", "polls"])
    response = client.get(topic.get_absolute_url())
    assert response.status_code == 200 and "Poll: Where do we go?" in response.content.decode()


def test_guests_share_one_rendering_of_the_fragment_until_the_poll_changes(client, author, topic, member,
                                                                          django_assert_num_queries):
    poll = make_poll(author, topic)
    url = reverse("polls:fragment", args=[poll.pk]) + "?next=" + topic.get_absolute_url()
    first = client.get(url)
    with django_assert_num_queries(1):  # the poll (it decides 404 / may read); the HTML is shared
        second = client.get(url)
    assert second.content == first.content and second["ETag"] == first["ETag"]
    services.poll_vote(actor=member, poll=poll, option_ids=option_ids(poll)[:1])
    third = client.get(url)
    assert "1 voter" in third.content.decode() and third["ETag"] != first["ETag"]


# --- no dead end for members whose level may not create polls (issue 15) ----------------------------
LOCKED_REASON = "发起投票需要达到 Lv2 注册会员 或以上等级。"


def test_a_level_1_author_sees_add_a_poll_disabled_with_the_level_that_may(client, member, category):
    set_level(member, 1)
    topic = TopicFactory.create(author=member, category=category, title="My first topic")
    client.force_login(member)
    page = client.get(topic.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert reverse("polls:new", args=[topic.pk]) not in page  # no link to a refusal page
    assert '<span class="button button-small" aria-disabled="true">添加投票</span>' in page
    assert LOCKED_REASON in page


def test_a_level_2_author_still_gets_the_link(client, author, topic):
    client.force_login(author)
    page = client.get(topic.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f'href="{reverse("polls:new", args=[topic.pk])}">添加投票</a>' in page
    assert 'aria-disabled="true">添加投票' not in page and LOCKED_REASON not in page


def test_the_new_topic_form_shows_a_level_1_member_why_there_is_no_poll(client, member, author):
    set_level(member, 1)
    client.force_login(member)
    html = client.get(reverse("forum:topic_new"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'name="poll-question"' not in html  # no fields that would be refused
    assert 'aria-disabled="true">添加投票</span>' in html and LOCKED_REASON in html
    client.force_login(author)
    html = client.get(reverse("forum:topic_new"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'name="poll-question"' in html and LOCKED_REASON not in html


def test_a_permitted_members_poll_is_published_with_the_topic_in_chinese(client, author, category,
                                                                        django_capture_on_commit_callbacks):
    client.force_login(author)
    with django_capture_on_commit_callbacks(execute=True):  # what runs after commit keeps the poll too
        response = client.post(reverse("forum:topic_new"), new_topic_data(
            category, question="周五吃什么？", options="火锅\n饺子", max_choices="1"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    topic = Topic.objects.get(title="Team dinner this Friday")
    assert response.status_code == 302 and response["Location"] == topic.get_absolute_url()
    poll = Poll.objects.get(topic=topic)
    assert [o.text for o in poll.options.order_by("position")] == ["火锅", "饺子"]
    page = client.get(topic.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "周五吃什么？" in page and "火锅" in page

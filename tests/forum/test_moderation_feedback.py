"""What a moderator reads after acting: each verb of the registry says what it did ("The topic is locked.",
"The topic is moved to “Beta”."), on the page the topic tools, the /mod/ pages and the member and moderator
pages return to."""

import pytest
from django.urls import reverse

from forum import services
from forum.models import Post, Topic, User
from forum.moderation import registry
from forum.moderation.models import CategoryModerator
from tests.factories import CategoryFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

# verb key -> (state before, the message on the page after)
QUICK = {
    "topic.lock": ({}, "The topic is locked."),
    "topic.unlock": ({"is_locked": True}, "The topic is unlocked."),
    "topic.pin": ({}, "The topic is pinned."),
    "topic.unpin": ({"is_pinned": True}, "The topic is no longer pinned."),
    "topic.hide": ({}, "The topic is hidden."),
    "topic.unhide": ({"is_hidden": True}, "The topic is visible again."),
    "post.hide": ({}, "The post is hidden."),
    "post.unhide": ({"is_hidden": True}, "The post is visible again."),
    "post.restore": ({"is_deleted": True}, "The post is restored."),
}


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def alpha(db):
    return CategoryFactory(name="Alpha", slug="alpha", position=1)


@pytest.fixture
def beta(db):
    return CategoryFactory(name="Beta", slug="beta", position=2)


@pytest.fixture
def topic(member, alpha):
    t = TopicFactory.create(author=member, category=alpha, title="A topic to moderate", body="opening text")
    services.post_create(actor=UserFactory(), topic=t, body="a reply to moderate")
    return t


def _reply(topic):
    return Post.objects.get(topic=topic, number=2)


def _quick_request(topic, key):
    """Put the topic or its reply in the state before `key`; return what it applies to and the POST data."""
    before = QUICK[key][0]
    applies_to, name = key.split(".")
    if applies_to == "topic":
        Topic.objects.filter(pk=topic.pk).update(**before)
        return applies_to, {"action": name}
    Post.objects.filter(pk=_reply(topic).pk).update(**before)
    return applies_to, {"action": f"{name}_post", "post": _reply(topic).pk}


def test_every_quick_verb_has_its_row_and_every_verb_a_message():
    assert set(QUICK) == {verb.key for verb in registry.VERBS if verb.quick}
    for verb in registry.VERBS:
        assert str(verb.done) and str(verb.done) != str(verb.label), verb.key


@pytest.mark.parametrize("key", QUICK)
def test_quick_tools_on_the_topic_page_say_what_they_did(client, moderator, topic, key):
    applies_to, data = _quick_request(topic, key)
    message = QUICK[key][1]
    client.force_login(moderator)
    response = client.post(reverse("forum:topic_moderate", args=[topic.pk]), data, follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and response.redirect_chain  # back on the topic page
    assert f'<p class="alert alert-success">{message}</p>' in page and "done." not in page


# the new state of the buttons (or the post) swapped in by htmx after each quick verb
HTMX_STATE = {
    "topic.lock": 'value="unlock"', "topic.unlock": 'value="lock"', "topic.pin": 'value="unpin"',
    "topic.unpin": 'value="pin"', "topic.hide": 'value="unhide"', "topic.unhide": 'value="hide"',
    "post.hide": 'value="unhide_post"', "post.unhide": 'value="hide_post"', "post.restore": 'value="hide_post"',
}


@pytest.mark.parametrize("key", QUICK)
def test_quick_tools_with_htmx_swap_in_place_and_say_what_they_did(client, moderator, topic, key):
    applies_to, data = _quick_request(topic, key)
    message = QUICK[key][1]
    client.force_login(moderator)
    response = client.post(reverse("forum:topic_moderate", args=[topic.pk]), data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html  # a fragment, not a page
    assert f'<p class="alert alert-success" role="status">{message}</p>' in html
    assert HTMX_STATE[key] in html
    if applies_to == "topic":
        assert html.lstrip().startswith("<form") and 'class="mod-actions"' in html
    else:
        assert f'data-post-id="{_reply(topic).pk}"' in html and 'class="post card' in html


def test_quick_tools_with_htmx_refusals_are_4xx_fragments(client, moderator, member, topic):
    client.force_login(moderator)
    response = client.post(reverse("forum:topic_moderate", args=[topic.pk]), {"action": "explode"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    assert "<html" not in response.content.decode()
    Topic.objects.filter(pk=topic.pk).update(is_locked=True)
    response = client.post(reverse("forum:topic_moderate", args=[topic.pk]), {"action": "lock"},
                           HTTP_HX_REQUEST="true")
    assert 400 <= response.status_code < 500 and 'role="alert"' in response.content.decode()
    client.force_login(member)  # not a moderator: nothing changes
    response = client.post(reverse("forum:topic_moderate", args=[topic.pk]), {"action": "unlock"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 403 and Topic.objects.get(pk=topic.pk).is_locked


def test_quick_tools_speak_chinese(client, moderator, topic):
    client.force_login(moderator)
    response = client.post(reverse("forum:topic_moderate", args=[topic.pk]), {"action": "lock"}, follow=True,
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "话题已锁定。" in response.content.decode()


def test_the_move_tool_names_the_category_it_moved_to(client, moderator, topic, alpha, beta):
    client.force_login(moderator)
    response = client.post(reverse("forum:mod_topic", args=[topic.pk]),
                           {"action": "move", "category": "beta", "reason": "wrong place"}, follow=True)
    assert "The topic is moved to “Beta”." in response.content.decode()
    assert Topic.objects.get(pk=topic.pk).category == beta


def test_mod_topic_and_post_pages_say_what_they_did(client, moderator, topic):
    client.force_login(moderator)
    response = client.post(reverse("forum:mod_topic", args=[topic.pk]), {"action": "pin", "reason": "news"},
                           follow=True)
    assert "The topic is pinned." in response.content.decode()
    response = client.post(reverse("forum:mod_post", args=[_reply(topic).pk]), {"action": "delete", "reason": "spam"},
                           follow=True)
    assert "The post is deleted." in response.content.decode() and "Done." not in response.content.decode()
    response = client.post(reverse("forum:mod_post", args=[Post.objects.get(topic=topic, number=1).pk]),
                           {"action": "edit", "body": "moderated text", "title": topic.title, "reason": "typo"},
                           follow=True)
    assert "The post is edited; the reason is in the audit log." in response.content.decode()


def test_member_and_moderator_pages_say_what_they_did(client, moderator, member, alpha):
    client.force_login(moderator)
    url = reverse("forum:mod_member", args=[member.username])
    response = client.post(url, {"action": "sanction", "kind": "silence", "reason": "flooding", "until": ""},
                           follow=True)
    assert f"{member.name} is silenced." in response.content.decode()
    sanction = User.objects.get(pk=member.pk).sanctions.get()
    response = client.post(url, {"action": "lift", "sanction": sanction.pk, "reason": "calmed down"}, follow=True)
    assert "The sanction is lifted." in response.content.decode() and "Done." not in response.content.decode()

    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    response = client.post(reverse("forum:mod_moderators"), {"action": "appoint", "username": member.username,
                                                              "category": "alpha", "reason": "helpful"}, follow=True)
    assert f"{member.name} now moderates “Alpha”." in response.content.decode()
    appointment = CategoryModerator.objects.get(member=member)
    response = client.post(reverse("forum:mod_moderators"), {"action": "demote", "appointment": appointment.pk,
                                                              "reason": "stepped down"}, follow=True)
    assert "The moderator no longer moderates “Alpha”." in response.content.decode()

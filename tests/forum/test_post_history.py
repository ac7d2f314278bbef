"""A post's edit history (issue 15): the 'edited' link on an edited post opens every version of its
Markdown with who wrote it, when, and a diff; for whoever may read the post, no one else."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import translation

from forum import services
from forum.composer.selectors import post_history
from forum.moderation import hide
from tests.factories import CategoryFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def edited(moderator):
    author = UserFactory(username="writer")
    topic = TopicFactory.create(author=author, title="Original title here", body="line one\nline two")
    post = topic.posts.get(number=1)
    services.post_edit(actor=author, post=post, body="line one\nline 2 fixed", reason="typo")
    services.post_edit(actor=moderator, post=post, body="line one\nline 2 fixed\nmod note",
                       title="Better title here", reason="clarity")
    post.refresh_from_db()
    return post


def test_versions_newest_first_with_editor_time_and_diff(edited, moderator):
    versions = post_history(post=edited)
    assert [v.number for v in versions] == [3, 2, 1]
    assert [v.editor.username for v in versions] == [moderator.username, "writer", "writer"]
    assert versions[0].source == edited.source and versions[2].source == "line one\nline two"
    assert ("add", "+mod note") in versions[0].diff
    assert ("del", "-line two") in versions[1].diff and ("add", "+line 2 fixed") in versions[1].diff
    assert versions[0].title_changed_from == "Original title here" and versions[0].title == "Better title here"
    assert versions[1].reason == "typo" and versions[0].reason == "clarity"


def test_the_edited_link_opens_the_history_page(edited, member):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    topic_html = client.get(edited.topic.get_absolute_url()).content.decode()
    assert f'href="/p/{edited.pk}/history/"' in topic_html
    response = client.get(f"/p/{edited.pk}/history/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="diff-line diff-add"' in html and "+mod note" in html and "typo" in html
    assert "Original" in html and "Version 3" in html
    assert "Original title here" in html and "Better title here" in html


def test_an_unedited_post_has_no_link_and_an_empty_history(member):
    topic = TopicFactory.create()
    post = topic.posts.get(number=1)
    assert "/history/" not in Client().get(topic.get_absolute_url()).content.decode()
    assert "has not been edited" in Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/p/{post.pk}/history/").content.decode()


def test_no_history_for_those_who_may_not_read_the_post(edited, moderator, member):
    group = Group.objects.create(name="Inner")
    private = CategoryFactory(read_group=group)
    staff = UserFactory(is_staff=True)
    secret = TopicFactory.create(author=staff, category=private, body="secret text")
    secret_post = secret.posts.get(number=1)
    services.post_edit(actor=staff, post=secret_post, body="secret text v2")
    assert Client().get(f"/p/{secret_post.pk}/history/").status_code == 403
    hide.post_hide(actor=moderator, post=edited, hidden=True, reason="spam")
    reader = Client()
    reader.force_login(member)
    assert reader.get(f"/p/{edited.pk}/history/").status_code == 404
    mod = Client()
    mod.force_login(moderator)
    assert mod.get(f"/p/{edited.pk}/history/").status_code == 200
    assert Client().get("/p/999999/history/").status_code == 404

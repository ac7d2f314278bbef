"""The tip button on posts (htmx): it appears on others' posts only, sends a tip, and shows the
daily cap, the level gate and a short balance as clear messages; the author is notified; every
balance equals its ledger sum."""

import pytest

from engagement.points import services as points
from engagement.points.models import PointsAccount
from engagement.points.selectors import accounts_out_of_balance
from engagement.tips.models import Tip
from forum.models import Notification
from tests.factories import TopicFactory, UserFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture(autouse=True)
def rules(settings):
    settings.HUOLI_TIPS = {"MIN_LEVEL": 0, "MIN_AMOUNT": 1, "MAX_AMOUNT": 50, "DAILY_CAP": 60}


@pytest.fixture
def tipper(db):
    member = UserFactory()
    points.points_award(member=member, rule_code="checkin_streak_bonus", amount=500, source_type="t", source_id="1")
    return member


def test_button_tips_and_the_cap_shows_a_clear_message(client, tipper, django_capture_on_commit_callbacks):
    topic = TopicFactory.create()
    post = topic.posts.get(number=1)
    client.force_login(tipper)
    page = client.get(topic.get_absolute_url()).text
    assert f'id="tip-{post.pk}"' in page and "at most 60 a day" in page
    url = f"/tips/posts/{post.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(url, {"amount": "50", "request_key": "a1"}, **HTMX)
    assert ok.status_code == 200 and "you tipped 50 points" in ok.text
    again = client.post(url, {"amount": "50", "request_key": "a1"}, **HTMX)  # a double submit tips once
    assert again.status_code == 200 and Tip.objects.count() == 1
    capped = client.post(url, {"amount": "20", "request_key": "a2"}, **HTMX)
    assert capped.status_code == 409 and "10 left today" in capped.text
    bad = client.post(url, {"amount": "abc", "request_key": "a3"}, **HTMX)
    assert bad.status_code == 400 and "between 1 and 50" in bad.text
    assert PointsAccount.objects.get(member=tipper).balance == 450
    assert PointsAccount.objects.get(member=post.author).balance == 50
    assert Notification.objects.filter(recipient=post.author, message__contains="50").exists()
    assert accounts_out_of_balance() == []


def test_level_gate_message_and_no_button_on_own_post(client, tipper, settings):
    settings.HUOLI_TIPS = {**settings.HUOLI_TIPS, "MIN_LEVEL": 5}
    topic = TopicFactory.create(author=tipper)
    client.force_login(tipper)
    assert f'id="tip-{topic.posts.get().pk}"' not in client.get(topic.get_absolute_url()).text
    other = TopicFactory.create().posts.get()
    response = client.post(f"/tips/posts/{other.pk}/", {"amount": "5", "request_key": "x"}, **HTMX)
    assert response.status_code == 403 and "needs level" in response.text
    assert not Tip.objects.exists()


def test_plain_post_redirects_with_message_and_guests_sign_in(client, tipper):
    post = TopicFactory.create().posts.get()
    response = client.post(f"/tips/posts/{post.pk}/", {"amount": "5", "request_key": "g"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(tipper)
    response = client.post(f"/tips/posts/{post.pk}/", {"amount": "5", "request_key": "g"}, follow=True)
    assert "you tipped 5 points" in response.text


def test_each_post_has_its_own_tip_form_and_request_key(client, tipper):
    """The form is rendered once per page and copied per post: each copy posts to its own post, with a
    request key of its own (one key for two posts would make the second tip a replay of the first)."""
    import re

    from forum import services as forum

    topic = TopicFactory.create()
    others = [forum.post_create(actor=UserFactory(), topic=topic, body=f"回复 {i}") for i in range(3)]
    client.force_login(tipper)
    page = client.get(topic.get_absolute_url()).text
    posts = [topic.posts.get(number=1), *others]
    for post in posts:
        assert f'id="tip-{post.pk}"' in page and f'action="/tips/posts/{post.pk}/"' in page
    keys = re.findall(r'name="request_key" value="([0-9a-f]{32})"', page)
    assert len(keys) == len(posts) == len(set(keys))
    assert "2147480001" not in page

"""Tips: points move from the tipper to the author (two ledger rows, no points minted, no lifetime
earned), once per request key, within the per-tip bounds and the per-day cap, refused below the
level gate and on one's own post; the author is notified."""

import pytest

from engagement.points import services as points
from engagement.points.errors import InsufficientPoints
from engagement.points.models import PointsAccount
from engagement.tips import services
from engagement.tips.models import Tip
from forum.errors import Conflict, InvalidInput, NotAllowed
from forum.models import Notification
from tests.factories import TopicFactory, UserFactory


@pytest.fixture(autouse=True)
def rules(settings):
    settings.HUOLI_TIPS = {"MIN_LEVEL": 0, "MAX_AMOUNT": 50, "DAILY_CAP": 60}


@pytest.fixture
def tipper(db):
    member = UserFactory()
    points.points_award(member=member, rule_code="checkin_streak_bonus", amount=500, source_type="t", source_id="1")
    return member


@pytest.fixture
def post(db):
    return TopicFactory.create().posts.get(number=1)


def account(member):
    return PointsAccount.objects.filter(member_id=member.pk).first() or PointsAccount(balance=0, lifetime_earned=0)


def test_a_tip_moves_points_once_and_notifies_the_author(tipper, post, ledger_consistent,
                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tip = services.tip_post(actor=tipper, post_id=post.pk, amount=30, request_key="k1")
        again = services.tip_post(actor=tipper, post_id=post.pk, amount=30, request_key="k1")
    assert again.pk == tip.pk and again.duplicate
    assert account(tipper).balance == 470
    author = account(post.author)
    assert (author.balance, author.lifetime_earned) == (30, 0)
    note = Notification.objects.get(recipient=post.author)
    assert "30" in note.message and note.post_id == post.pk


def test_daily_cap_bounds_and_short_balance(tipper, post, clock, ledger_consistent):
    clock.set("2026-12-01T10:00:00")
    services.tip_post(actor=tipper, post_id=post.pk, amount=50, request_key="a")
    with pytest.raises(Conflict) as exc:
        services.tip_post(actor=tipper, post_id=post.pk, amount=11, request_key="b")
    assert exc.value.code == "daily_cap"
    services.tip_post(actor=tipper, post_id=post.pk, amount=10, request_key="c")
    clock.advance(days=1)
    services.tip_post(actor=tipper, post_id=post.pk, amount=10, request_key="d")
    for bad in (0, 51, "5", True):
        with pytest.raises(InvalidInput):
            services.tip_post(actor=tipper, post_id=post.pk, amount=bad, request_key="e")
    poor = UserFactory()
    with pytest.raises(InsufficientPoints):
        services.tip_post(actor=poor, post_id=post.pk, amount=5, request_key="p")
    assert Tip.objects.count() == 3 and account(post.author).balance == 70


def test_level_gate_and_own_post(tipper, post, settings):
    with pytest.raises(NotAllowed) as exc:
        services.tip_post(actor=post.author, post_id=post.pk, amount=5, request_key="own")
    assert exc.value.code == "own_post"
    settings.HUOLI_TIPS = {"MIN_LEVEL": 9}
    with pytest.raises(NotAllowed) as exc:
        services.tip_post(actor=tipper, post_id=post.pk, amount=5, request_key="lv")
    assert exc.value.code == "level_too_low"
    assert not Tip.objects.exists()


def test_api_tip_and_list(client, tipper, post):
    from forum import tokens

    _token, secret = tokens.api_token_create(actor=tipper, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    url = f"/api/v1/tips/posts/{post.pk}"
    first = client.post(url, {"amount": 20, "request_key": "x"}, content_type="application/json", **auth)
    again = client.post(url, {"amount": 20, "request_key": "x"}, content_type="application/json", **auth)
    assert (first.status_code, again.status_code) == (201, 200)
    capped = client.post(url, {"amount": 45, "request_key": "y"}, content_type="application/json", **auth)
    assert capped.status_code == 409 and capped.json()["error"]["code"] == "daily_cap"
    listed = client.get(url).json()
    assert listed["total"] == 20 and [t["tipper"] for t in listed["tips"]] == [tipper.username]
    assert "/api/v1/tips/posts/{post_id}" in client.get("/api/v1/openapi.json").json()["paths"]

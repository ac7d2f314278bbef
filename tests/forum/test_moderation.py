"""Moderation: reports and auto-hide by report weight, the queue, every verb with its permissions
(global moderator, category moderator inside/outside their category, member), bans end to end,
the approval queue and spam rules, rate limits per level, category moderators and applications,
and the audit entries each action leaves."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditLog
from engagement.levels.models import MemberLevel
from forum import services
from forum.errors import Conflict, InvalidInput, NotAllowed, RateLimited
from forum.models import Category, Notification, Post, Topic, User
from forum.moderation import (
    approval,
    bans,
    delete,
    edit,
    hide,
    lock,
    merge,
    moderators,
    move,
    pin,
    queue,
    reports,
    selectors,
    split,
)
from forum.moderation.models import (
    CategoryModerator,
    MemberSanction,
    ModerationItem,
    ModerationItemEvent,
    ModeratorApplication,
    SpamWord,
)
from tests.factories import CategoryFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast(settings, client):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the pages' English source texts


def at_level(user, number):
    MemberLevel.objects.update_or_create(member=user, defaults={"level_number": number})
    return User.objects.get(pk=user.pk)


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


@pytest.fixture
def cat_a(db):
    return CategoryFactory(name="Alpha", slug="alpha")


@pytest.fixture
def cat_b(db):
    return CategoryFactory(name="Beta", slug="beta")


@pytest.fixture
def cat_mod(staff, cat_a):
    """A delegated moderator (版主) of cat_a only."""
    user = UserFactory()
    moderators.moderator_appoint(actor=staff, member=user, category=cat_a)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def topic_a(member, cat_a):
    return TopicFactory.create(author=member, category=cat_a, title="A topic in alpha", body="opening text")


@pytest.fixture
def topic_b(member, cat_b):
    return TopicFactory.create(author=member, category=cat_b, title="A topic in beta", body="opening text")


def reply(topic, author=None, body="a reply"):
    return services.post_create(actor=author or UserFactory(), topic=topic, body=body)


def audit(action):
    return list(AuditLog.objects.filter(action=f"moderation.{action}").order_by("id"))


# --- reports, weight, auto-hide ------------------------------------------------------------------
def test_report_weight_comes_from_the_reporter_level_and_auto_hides(settings, topic_a):
    settings.HUOLI = {**settings.HUOLI, "REPORT_AUTO_HIDE_WEIGHT": 5}
    post = reply(topic_a, body="buy cheap watches")
    low = at_level(UserFactory(), 1)     # weight 1
    senior = at_level(UserFactory(), 5)  # weight 3
    first = reports.report_create(actor=low, target=post, reason="spam")
    assert first.weight == 1
    second = reports.report_create(actor=senior, target=post, reason="spam", message="an advert")
    assert second.weight == 3 and second.item_id == first.item_id
    post.refresh_from_db()
    assert post.is_hidden is False  # 4 < 5
    third = reports.report_create(actor=at_level(UserFactory(), 1), target=post, reason="abuse")
    post.refresh_from_db()
    item = ModerationItem.objects.get(pk=third.item_id)
    assert post.is_hidden is True and item.auto_hidden is True and item.weight == 5 and item.report_count == 3
    assert item.reason == "spam"  # the most reported reason
    topic_a.refresh_from_db()
    assert topic_a.reply_count == 0  # counters follow the hidden post
    (entry,) = audit("post_auto_hide")
    assert entry.actor is None and entry.after == {"is_hidden": True} and entry.scope_id == topic_a.category_id
    assert [e.action for e in item.events.all()] == ["reported", "reported", "reported", "auto_hidden"]


def test_dismissing_an_auto_hidden_report_brings_the_post_back(settings, topic_a, moderator):
    settings.HUOLI = {**settings.HUOLI, "REPORT_AUTO_HIDE_WEIGHT": 1}
    post = reply(topic_a)
    report = reports.report_create(actor=UserFactory(), target=post, reason="off_topic")
    post.refresh_from_db()
    assert post.is_hidden
    queue.item_resolve(actor=moderator, item=report.item, resolution="dismissed", note="fine")
    post.refresh_from_db()
    assert post.is_hidden is False
    (entry,) = audit("report_resolve")
    assert entry.actor == moderator and entry.after["resolution"] == "dismissed"


def test_report_rules(topic_a, member, other_member):
    post = topic_a.posts.get(number=1)
    with pytest.raises(NotAllowed):  # own post
        reports.report_create(actor=member, target=post, reason="spam")
    with pytest.raises(InvalidInput):
        reports.report_create(actor=other_member, target=post, reason="nonsense")
    with pytest.raises(InvalidInput):  # "other" needs a message
        reports.report_create(actor=other_member, target=post, reason="other")
    reports.report_create(actor=other_member, target=post, reason="spam")
    with pytest.raises(Conflict):
        reports.report_create(actor=other_member, target=post, reason="spam")
    reports.report_create(actor=other_member, target=member, reason="abuse", message="insults")
    item = ModerationItem.objects.get(member=member)
    assert item.category is None and item.post is None


def test_reports_per_day_are_rate_limited_with_retry_after(settings, client, cat_a):
    settings.HUOLI = {**settings.HUOLI, "RATE_LIMITS": {**settings.HUOLI["RATE_LIMITS"], "report": (2, 86400)}}
    reporter = UserFactory()
    client.force_login(reporter)
    posts = [TopicFactory.create(category=cat_a).posts.get(number=1) for _ in range(3)]
    for post in posts[:2]:
        response = client.post("/api/v1/reports", {"target": "post", "id": post.pk, "reason": "spam"},
                               content_type="application/json")
        assert response.status_code == 201
    response = client.post("/api/v1/reports", {"target": "post", "id": posts[2].pk, "reason": "spam"},
                           content_type="application/json")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 86400
    assert response.json()["error"]["code"] == "rate_limited"
    assert not ModerationItem.objects.filter(post=posts[2]).exists()


def test_posts_per_hour_by_level_gives_429_with_retry_after(client, cat_a):
    newcomer = at_level(UserFactory(), 1)  # level 1: 10 posts an hour
    topic = TopicFactory.create(category=cat_a)  # someone else's topic
    client.force_login(newcomer)
    for i in range(10):
        response = client.post(f"/api/v1/topics/{topic.pk}/posts", {"body": f"reply number {i}"},
                               content_type="application/json")
        assert response.status_code == 201, response.content
    response = client.post(f"/api/v1/topics/{topic.pk}/posts", {"body": "one too many"},
                           content_type="application/json")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Lv1" in response.json()["error"]["message"]


def test_votes_per_day_limit(settings, cat_a):
    settings.HUOLI = {**settings.HUOLI, "RATE_LIMITS": {**settings.HUOLI["RATE_LIMITS"], "vote_day": (2, 86400)}}
    voter = UserFactory()
    posts = [TopicFactory.create(category=cat_a).posts.get(number=1) for _ in range(3)]
    services.post_vote(actor=voter, post=posts[0], value=1)
    services.post_vote(actor=voter, post=posts[1], value=1)
    with pytest.raises(RateLimited) as caught:
        services.post_vote(actor=voter, post=posts[2], value=1)
    assert caught.value.retry_after > 0


# --- the queue -------------------------------------------------------------------------------------
def test_claim_release_resolve_and_history(topic_a, cat_mod, moderator):
    post = reply(topic_a)
    item = reports.report_create(actor=UserFactory(), target=post, reason="abuse").item
    queue.item_claim(actor=cat_mod, item=item)
    other = UserFactory()
    moderators.moderator_appoint(actor=UserFactory(is_staff=True), member=other, category=topic_a.category)
    other = User.objects.get(pk=other.pk)
    with pytest.raises(Conflict):
        queue.item_claim(actor=other, item=item)
    with pytest.raises(Conflict):
        queue.item_resolve(actor=other, item=item, resolution="upheld")
    queue.item_release(actor=cat_mod, item=item)
    queue.item_claim(actor=other, item=item)
    queue.item_resolve(actor=other, item=item, resolution="upheld", action="delete", note="harassment")
    post.refresh_from_db()
    item.refresh_from_db()
    assert post.is_deleted and item.status == "resolved" and item.resolved_by == other
    assert [e.action for e in item.events.all()] == ["reported", "claimed", "released", "claimed", "upheld:delete"]
    with pytest.raises(Conflict):
        queue.item_resolve(actor=moderator, item=item, resolution="dismissed")


def test_queue_is_scoped_to_the_moderators_categories(topic_a, topic_b, cat_mod, moderator, member):
    item_a = reports.report_create(actor=UserFactory(), target=topic_a, reason="spam").item
    item_b = reports.report_create(actor=UserFactory(), target=topic_b, reason="spam").item
    item_m = reports.report_create(actor=UserFactory(), target=member, reason="abuse", message="x").item
    scoped = selectors.queue_items(user=cat_mod).object_list
    assert [i.pk for i in scoped] == [item_a.pk]
    assert {i.pk for i in selectors.queue_items(user=moderator).object_list} == {item_a.pk, item_b.pk, item_m.pk}
    with pytest.raises(NotAllowed):
        queue.item_claim(actor=cat_mod, item=item_b)
    with pytest.raises(NotAllowed):
        queue.item_claim(actor=cat_mod, item=item_m)


def test_queue_page_filters_and_item_page(client, topic_a, topic_b, moderator):
    reports.report_create(actor=UserFactory(), target=topic_a.posts.get(number=1), reason="spam")
    reports.report_create(actor=UserFactory(), target=topic_b.posts.get(number=1), reason="abuse")
    client.force_login(moderator)
    page = client.get(reverse("forum:mod_queue"), {"category": "beta"}).content.decode()
    assert "A topic in beta" in page and "A topic in alpha" not in page
    page = client.get(reverse("forum:mod_queue"), {"reason": "spam"}).content.decode()
    assert "A topic in alpha" in page and "A topic in beta" not in page
    item = ModerationItem.objects.get(post__topic=topic_a)
    page = client.get(reverse("forum:mod_item", args=[item.pk])).content.decode()
    assert "opening text" in page and "reported" in page


def test_members_cannot_see_the_queue(client, member, topic_a):
    client.force_login(member)
    assert client.get(reverse("forum:mod_queue")).status_code == 403
    assert client.get("/api/v1/moderation/queue").status_code == 403


# --- verbs and scope ------------------------------------------------------------------------------
def test_category_moderator_acts_only_inside_their_category(topic_a, topic_b, cat_mod):
    lock.topic_lock(actor=cat_mod, topic=topic_a, locked=True, reason="cooling off")
    topic_a.refresh_from_db()
    assert topic_a.is_locked
    for action in (lambda: lock.topic_lock(actor=cat_mod, topic=topic_b, locked=True),
                   lambda: hide.topic_hide(actor=cat_mod, topic=topic_b, hidden=True),
                   lambda: hide.post_hide(actor=cat_mod, post=topic_b.posts.get(number=1), hidden=True),
                   lambda: pin.topic_pin(actor=cat_mod, topic=topic_b),
                   lambda: delete.post_soft_delete(actor=cat_mod, post=topic_b.posts.get(number=1))):
        with pytest.raises(NotAllowed) as caught:
            action()
        assert caught.value.code == "not_your_category"
    topic_b.refresh_from_db()
    assert not (topic_b.is_locked or topic_b.is_hidden or topic_b.is_pinned)
    (entry,) = audit("topic_lock")
    assert entry.actor == cat_mod and entry.reason == "cooling off" and entry.before == {"is_locked": False}


def test_members_cannot_moderate(topic_a, other_member):
    with pytest.raises(NotAllowed):
        lock.topic_lock(actor=other_member, topic=topic_a, locked=True)
    with pytest.raises(NotAllowed):
        hide.post_hide(actor=other_member, post=topic_a.posts.get(number=1), hidden=True)
    assert not AuditLog.objects.filter(action__startswith="moderation.").exclude(
        action="moderation.moderator_appoint").exists()


def test_hide_unhide_post_and_topic(topic_a, moderator):
    post = reply(topic_a)
    hide.post_hide(actor=moderator, post=post, hidden=True, reason="rude")
    topic_a.refresh_from_db()
    assert Post.objects.get(pk=post.pk).is_hidden and topic_a.reply_count == 0
    with pytest.raises(Conflict):
        hide.post_hide(actor=moderator, post=post, hidden=True)
    hide.post_hide(actor=moderator, post=Post.objects.get(pk=post.pk), hidden=False)
    topic_a.refresh_from_db()
    assert topic_a.reply_count == 1
    hide.topic_hide(actor=moderator, topic=topic_a, hidden=True)
    assert Topic.objects.get(pk=topic_a.pk).is_hidden
    assert [e.action for e in AuditLog.objects.filter(action__startswith="moderation.").order_by("id")] == [
        "moderation.post_hide", "moderation.post_unhide", "moderation.topic_hide"]


def test_global_pin_with_end_date_and_expiry(topic_a, cat_mod, moderator, client):
    with pytest.raises(NotAllowed):
        pin.topic_pin(actor=cat_mod, topic=topic_a, scope="global")
    with pytest.raises(InvalidInput):
        pin.topic_pin(actor=moderator, topic=topic_a, until="2001-01-01")
    until = timezone.now() + timedelta(days=2)
    pin.topic_pin(actor=moderator, topic=topic_a, scope="global", until=until, reason="announcement")
    other = TopicFactory.create(category=topic_a.category, title="A newer topic here")
    topic_a.refresh_from_db()
    assert topic_a.is_pinned and topic_a.pinned_globally and topic_a.pinned_until == until
    latest = client.get(reverse("forum:latest")).content.decode()
    assert latest.index("A topic in alpha") < latest.index(other.title)
    assert pin.pins_expire(now=until - timedelta(minutes=1)) == 0
    assert pin.pins_expire(now=until + timedelta(minutes=1)) == 1
    topic_a.refresh_from_db()
    assert not topic_a.is_pinned and not topic_a.pinned_globally
    assert [e.action for e in AuditLog.objects.filter(target_type="forum.topic", target_id=str(topic_a.pk))
            .order_by("id")] == [
        "moderation.topic_pin", "moderation.topic_unpin"]


def test_move_needs_both_categories_and_fixes_counters(topic_a, cat_a, cat_b, cat_mod, moderator, staff):
    reply(topic_a)
    with pytest.raises(NotAllowed):
        move.topic_move(actor=cat_mod, topic=topic_a, category=cat_b)
    move.topic_move(actor=moderator, topic=topic_a, category="beta", reason="wrong place")
    cat_a.refresh_from_db()
    cat_b.refresh_from_db()
    assert Topic.objects.get(pk=topic_a.pk).category == cat_b
    assert (cat_a.topic_count, cat_a.post_count, cat_b.topic_count, cat_b.post_count) == (0, 0, 1, 2)
    (entry,) = audit("topic_move")
    assert entry.before["category"] == cat_a.pk and entry.after["category"] == cat_b.pk


def test_move_tool_has_no_default_and_not_the_topics_own_category(client, topic_a, cat_a, cat_b, moderator):
    Category.objects.filter(pk=cat_a.pk).update(position=0)  # alpha comes first: it used to be picked
    client.force_login(moderator)
    page = client.get(reverse("forum:mod_topic", args=[topic_a.pk])).content.decode()
    select = page[page.index('<select id="move-category"'):]
    select = select[:select.index("</select>")]
    assert "required" in select.split(">", 1)[0]
    assert select.split("<option", 2)[1].startswith(' value="">Choose a category…')  # the first option
    assert 'value="beta"' in select and 'value="alpha"' not in select and " selected" not in select
    response = client.post(reverse("forum:mod_topic", args=[topic_a.pk]), {"action": "move", "category": ""})
    assert response.status_code == 400 and "Choose the category to move the topic to." in response.content.decode()
    assert Topic.objects.get(pk=topic_a.pk).category == cat_a and not audit("topic_move")
    response = client.post(reverse("forum:mod_topic", args=[topic_a.pk]), {"action": "move", "category": "nosuch"})
    assert response.status_code == 400 and '<option value="">Choose a category…' in response.content.decode()


def test_move_fires_the_topic_moved_event(django_capture_on_commit_callbacks, topic_a, cat_b, moderator):
    from forum import hooks

    seen = []
    receiver = hooks.topic_moved.connect(lambda **kw: seen.append((kw["topic"].pk, kw["old_category"].pk)))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            move.topic_move(actor=moderator, topic=topic_a, category=cat_b)
    finally:
        hooks.topic_moved.disconnect(receiver)
    assert seen == [(topic_a.pk, topic_a.category_id)]


def test_merge_appends_posts_and_redirects(client, topic_a, cat_a, moderator, member):
    target = TopicFactory.create(category=cat_a, title="The main thread")
    reply(target, body="target reply")
    reply(topic_a, body="source reply")
    merge.topics_merge(actor=moderator, source=topic_a, target=target, reason="duplicate")
    target.refresh_from_db()
    numbers = list(target.posts.order_by("number").values_list("number", "source"))
    assert numbers == [(1, "正文内容 body"), (2, "target reply"), (3, "opening text"), (4, "source reply")]
    assert target.post_count == 4 and target.reply_count == 3
    cat_a.refresh_from_db()
    assert cat_a.topic_count == 1 and cat_a.post_count == 4
    client.force_login(member)
    response = client.get(topic_a.get_absolute_url())
    assert response.status_code == 301 and response["Location"].endswith(f"/t/{target.pk}/")
    with pytest.raises(InvalidInput):
        merge.topics_merge(actor=moderator, source=target, target=target)


def test_split_moves_replies_and_keeps_numbers_gap_free(topic_a, moderator, cat_mod, cat_b):
    replies = [reply(topic_a, body=f"reply {i}") for i in range(4)]
    with pytest.raises(InvalidInput):
        split.posts_split(actor=moderator, topic=topic_a, post_ids=[topic_a.posts.get(number=1).pk], title="New one")
    with pytest.raises(NotAllowed):  # the new topic would be outside cat_mod's category
        split.posts_split(actor=cat_mod, topic=topic_a, post_ids=[replies[1].pk], title="Off topic talk",
                          category=cat_b)
    new = split.posts_split(actor=cat_mod, topic=topic_a, post_ids=[replies[1].pk, replies[3].pk],
                            title="Off topic talk", reason="tangent")
    assert list(new.posts.order_by("number").values_list("number", "source")) == [(1, "reply 1"), (2, "reply 3")]
    assert new.author_id == replies[1].author_id and new.post_count == 2 and new.reply_count == 1
    topic_a.refresh_from_db()
    assert list(topic_a.posts.order_by("number").values_list("number", "source")) == [
        (1, "opening text"), (2, "reply 0"), (3, "reply 2")]
    assert topic_a.post_count == 3 and topic_a.reply_count == 2
    (entry,) = audit("topic_split")
    assert entry.after["new_topic"] == new.pk


def test_soft_delete_and_restore_with_reason(topic_a, cat_mod):
    post = reply(topic_a)
    delete.post_soft_delete(actor=cat_mod, post=post, reason="spam link")
    assert Post.objects.get(pk=post.pk).is_deleted
    delete.post_restore(actor=cat_mod, post=Post.objects.get(pk=post.pk), reason="false alarm")
    assert not Post.objects.get(pk=post.pk).is_deleted
    assert [(e.action, e.reason) for e in AuditLog.objects.order_by("id") if e.action.startswith("moderation.post")] == [
        ("moderation.post_delete", "spam link"), ("moderation.post_restore", "false alarm")]


def test_moderator_edit_requires_a_reason_and_keeps_history(topic_a, cat_mod):
    post = topic_a.posts.get(number=1)
    with pytest.raises(InvalidInput):
        edit.post_moderator_edit(actor=cat_mod, post=post, body="cleaned text", reason="")
    edit.post_moderator_edit(actor=cat_mod, post=post, body="cleaned text", title="A cleaner title", reason="phone number")
    post.refresh_from_db()
    revision = post.revisions.get()
    assert revision.reason == "phone number" and revision.source == "opening text" and revision.editor == cat_mod
    (entry,) = audit("post_edit")
    assert entry.before == {"source": "opening text", "title": "A topic in alpha"}
    assert entry.after == {"source": "cleaned text", "title": "A cleaner title"}


# --- bans ------------------------------------------------------------------------------------------
def test_ban_ends_the_session_and_login_shows_why(client, moderator, member):
    client.force_login(member)
    assert client.get(reverse("forum:notifications")).status_code == 200
    until = timezone.now() + timedelta(days=7)
    bans.member_sanction(actor=moderator, member=member, kind="ban", reason="advertising casinos", until=until)
    # the session stops working at once
    response = client.get(reverse("forum:notifications"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/api/v1/me").status_code == 401
    # signing in shows the ban page with the reason and the end date, and no session is created
    response = client.post(reverse("account_login"), {"login": member.username, "password": "correct-horse-battery"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "advertising casinos" in page and timezone.localtime(until).strftime("%Y-%m-%d") in page
    assert "_auth_user_id" not in client.session
    (entry,) = audit("member_ban")
    assert entry.subject == member and entry.after["active"] is True


def test_api_tokens_of_banned_members_are_refused(client, moderator, member):
    from forum import tokens

    _token, secret = tokens.api_token_create(actor=member, name="script")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert client.get("/api/v1/me", **headers).status_code == 200
    bans.member_sanction(actor=moderator, member=member, kind="ban", reason="spam")
    assert client.get("/api/v1/me", **headers).status_code == 401


def test_temporary_ban_ends_and_lift_restores_access(client, moderator, member):
    sanction = bans.member_sanction(actor=moderator, member=member, kind="ban", reason="cool down",
                                    until=timezone.now() + timedelta(hours=1))
    member.refresh_from_db()
    assert member.is_banned
    User.objects.filter(pk=member.pk).update(banned_until=timezone.now() - timedelta(seconds=1))
    member.refresh_from_db()
    assert not member.is_banned  # ended by itself
    bans.sanction_lift(actor=moderator, sanction=sanction, reason="served")
    member.refresh_from_db()
    assert member.banned_at is None
    response = client.post(reverse("account_login"), {"login": member.username, "password": "correct-horse-battery"})
    assert response.status_code == 302 and client.session.get("_auth_user_id") == str(member.pk)


def test_silenced_member_reads_but_cannot_post_vote_or_report(moderator, member, topic_a):
    other_topic = TopicFactory.create(category=topic_a.category)
    bans.member_sanction(actor=moderator, member=member, kind="silence", reason="flame war",
                         until=timezone.now() + timedelta(days=1))
    member = User.objects.get(pk=member.pk)
    for action in (lambda: services.post_create(actor=member, topic=other_topic, body="hello"),
                   lambda: services.post_vote(actor=member, post=other_topic.posts.get(number=1), value=1),
                   lambda: reports.report_create(actor=member, target=other_topic, reason="spam")):
        with pytest.raises(NotAllowed) as caught:
            action()
        assert caught.value.code == "silenced"
    assert Notification.objects.filter(recipient=member, message__contains="flame war").exists()


def test_who_may_sanction_whom(moderator, cat_mod, member, staff):
    with pytest.raises(NotAllowed):  # category moderators do not ban
        bans.member_sanction(actor=cat_mod, member=member, kind="ban", reason="x")
    with pytest.raises(NotAllowed):
        bans.member_sanction(actor=moderator, member=staff, kind="ban", reason="x")
    other_mod = UserFactory()
    other_mod.groups.add(Group.objects.get(name="Moderators"))
    with pytest.raises(NotAllowed):
        bans.member_sanction(actor=moderator, member=other_mod, kind="ban", reason="x")
    with pytest.raises(InvalidInput):
        bans.member_sanction(actor=moderator, member=member, kind="ban", reason="  ")
    bans.member_sanction(actor=staff, member=other_mod, kind="silence", reason="rude to members")
    assert not MemberSanction.objects.filter(member__in=[member, staff]).exists()


def test_remove_all_posts_by_a_spammer(moderator, cat_a):
    spammer = at_level(UserFactory(), 4)
    own = TopicFactory.create(author=spammer, category=cat_a, title="Cheap watches here")
    elsewhere = TopicFactory.create(category=cat_a, title="An honest topic")
    spam_reply = reply(elsewhere, author=spammer, body="buy now")
    item = reports.report_create(actor=UserFactory(), target=spam_reply, reason="spam").item
    removed = bans.member_remove_all_posts(actor=moderator, member=spammer, reason="spammer")
    assert removed == 2
    assert not Post.objects.filter(author=spammer, is_deleted=False).exists()
    assert Topic.objects.get(pk=own.pk).is_hidden and not Topic.objects.get(pk=elsewhere.pk).is_hidden
    item.refresh_from_db()
    assert item.status == "resolved" and item.resolution == "upheld"
    (entry,) = audit("member_remove_posts")
    assert sorted(entry.data["deleted_posts"]) == sorted(Post.objects.filter(author=spammer).values_list("pk", flat=True))


# --- approval queue and spam rules -----------------------------------------------------------------
def test_first_post_of_a_new_member_waits_for_approval(client, cat_a, moderator):
    Category.objects.filter(pk=cat_a.pk).update(approve_new_members=True)
    cat_a.refresh_from_db()
    newcomer = UserFactory()
    topic = services.topic_create(actor=newcomer, category=cat_a, title="Hello everyone here", body="my first post")
    assert topic.is_hidden
    post = topic.posts.get()
    assert post.is_pending and post.is_hidden
    cat_a.refresh_from_db()
    assert cat_a.topic_count == 0
    client.force_login(newcomer)
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "awaiting approval" in page and "my first post" not in page
    item = ModerationItem.objects.get(kind="approval", post=post)
    assert item.reason == "first_post"
    approval.approve(actor=moderator, item=item)
    topic.refresh_from_db()
    post.refresh_from_db()
    cat_a.refresh_from_db()
    assert not topic.is_hidden and not post.is_pending and not post.is_hidden and cat_a.topic_count == 1
    assert Notification.objects.filter(recipient=newcomer, message__contains="approved").exists()
    # the second post is not held
    second = services.post_create(actor=newcomer, topic=topic, body="second post")
    assert not second.is_pending and not second.is_hidden
    (entry,) = audit("post_approve")
    assert entry.before == {"is_pending": True}


def test_categories_without_approval_publish_at_once(cat_b):
    post = services.post_create(actor=UserFactory(), topic=TopicFactory.create(category=cat_b), body="hello")
    assert not post.is_pending and not ModerationItem.objects.exists()


def test_spam_rules_hold_posts(settings, cat_a, moderator):
    settings.HUOLI = {**settings.HUOLI, "SPAM_MAX_LINKS": 3}
    SpamWord.objects.create(word="Casino")
    approval.spam_words_changed()
    writer = at_level(UserFactory(), 4)  # unlimited links by level
    topic = TopicFactory.create(category=cat_a)
    bad = services.post_create(actor=writer, topic=topic, body="Play at the best CASINO online")
    links = services.post_create(actor=writer, topic=topic, body=" ".join(f"https://e.com/{i}" for i in range(4)))
    text = "This exact promotional paragraph appears in two topics."
    first = services.post_create(actor=writer, topic=topic, body=text)
    copy = services.post_create(actor=writer, topic=TopicFactory.create(category=cat_a), body=text)
    assert (bad.is_pending, links.is_pending, first.is_pending, copy.is_pending) == (True, True, False, True)
    reasons = dict(ModerationItem.objects.filter(kind="approval").values_list("post_id", "reason"))
    assert reasons == {bad.pk: "bad_word", links.pk: "links", copy.pk: "duplicate"}
    # moderators are never held
    assert not services.post_create(actor=moderator, topic=topic, body="casino talk is off topic").is_pending
    approval.reject(actor=moderator, item=ModerationItem.objects.get(post=bad), note="gambling ads")
    bad.refresh_from_db()
    assert bad.is_deleted and not bad.is_pending
    assert Notification.objects.filter(recipient=writer, message__contains="gambling ads").exists()


def test_approval_through_the_queue_resolve(cat_a, cat_mod):
    topic = TopicFactory.create(category=cat_a)
    Category.objects.filter(pk=cat_a.pk).update(approve_new_members=True)
    cat_a.refresh_from_db()
    post = services.post_create(actor=UserFactory(), topic=topic, body="first!")
    item = ModerationItem.objects.get(post=post)
    with pytest.raises(InvalidInput):
        queue.item_resolve(actor=cat_mod, item=item, resolution="upheld")
    queue.item_resolve(actor=cat_mod, item=item, resolution="approved")
    assert Post.objects.get(pk=post.pk).is_visible


# --- category moderators, applications, stats ------------------------------------------------------
def test_appoint_and_demote_with_reason(staff, member, cat_a, moderator):
    with pytest.raises(NotAllowed):
        moderators.moderator_appoint(actor=moderator, member=member, category=cat_a)
    appointment = moderators.moderator_appoint(actor=staff, member=member, category=cat_a)
    member = User.objects.get(pk=member.pk)
    assert member.moderates_categories
    with pytest.raises(InvalidInput):
        moderators.moderator_demote(actor=staff, appointment=appointment, reason="")
    moderators.moderator_demote(actor=staff, appointment=appointment, reason="inactive for months")
    member = User.objects.get(pk=member.pk)
    assert not member.moderates_categories
    with pytest.raises(NotAllowed):
        lock.topic_lock(actor=member, topic=TopicFactory.create(category=cat_a), locked=True)
    assert Notification.objects.filter(recipient=member, message__contains="inactive for months").exists()
    assert [e.action for e in AuditLog.objects.filter(subject=member).order_by("id")] == [
        "moderation.moderator_appoint", "moderation.moderator_demote"]


def test_applications_need_the_level_and_staff_review(staff, cat_a):
    low = at_level(UserFactory(), 2)
    with pytest.raises(NotAllowed) as caught:
        moderators.application_create(actor=low, category=cat_a, motivation="I love this category very much.")
    assert "Lv5" in caught.value.message
    senior = at_level(UserFactory(), 5)
    with pytest.raises(InvalidInput):
        moderators.application_create(actor=senior, category=cat_a, motivation="short")
    application = moderators.application_create(actor=senior, category=cat_a,
                                                motivation="I read every topic here and can give an hour a day.")
    with pytest.raises(Conflict):
        moderators.application_create(actor=senior, category=cat_a, motivation="Again, I would like to moderate.")
    with pytest.raises(InvalidInput):  # rejecting needs a note
        moderators.application_review(actor=staff, application=application, accept=False)
    moderators.application_review(actor=staff, application=application, accept=True)
    application.refresh_from_db()
    assert application.status == ModeratorApplication.Status.ACCEPTED
    assert CategoryModerator.objects.filter(member=senior, category=cat_a, is_active=True).exists()
    assert Notification.objects.filter(recipient=senior, message__contains=cat_a.name).exists()


def test_moderator_stats_count_actions_and_response_time(topic_a, cat_mod, staff, client):
    post = reply(topic_a)
    item = reports.report_create(actor=UserFactory(), target=post, reason="spam").item
    ModerationItem.objects.filter(pk=item.pk).update(created_at=timezone.now() - timedelta(hours=2))
    queue.item_resolve(actor=cat_mod, item=item, resolution="upheld", action="hide")
    lock.topic_lock(actor=cat_mod, topic=topic_a, locked=True)
    (row,) = [r for r in selectors.moderator_stats() if r["member"] == cat_mod]
    assert row["actions"] == 2 and row["resolved"] == 1 and row["categories"] == ["Alpha"]
    assert timedelta(hours=1, minutes=59) < row["median_response"] < timedelta(hours=2, minutes=1)
    client.force_login(staff)
    page = client.get(reverse("forum:mod_moderators")).content.decode()
    assert cat_mod.name in page
    client.force_login(cat_mod)
    assert client.get(reverse("forum:mod_moderators")).status_code == 403


# --- audit log -------------------------------------------------------------------------------------
def test_audit_log_is_append_only_and_scoped(client, topic_a, topic_b, cat_mod, moderator, staff):
    from audit.models import AppendOnlyError

    lock.topic_lock(actor=moderator, topic=topic_a, locked=True, reason="in alpha")
    lock.topic_lock(actor=moderator, topic=topic_b, locked=True, reason="in beta")
    entry = AuditLog.objects.get(reason="in alpha")
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.filter(pk=entry.pk).delete()
    client.force_login(cat_mod)
    page = client.get(reverse("forum:mod_audit")).content.decode()
    assert "in alpha" in page and "in beta" not in page
    assert client.get(reverse("forum:mod_audit"), {"format": "csv"}).status_code == 403
    client.force_login(staff)
    page = client.get(reverse("forum:mod_audit"), {"category": "beta"}).content.decode()
    assert "in beta" in page and "in alpha" not in page
    response = client.get(reverse("forum:mod_audit"), {"format": "csv", "actor": moderator.username})
    body = b"".join(response.streaming_content).decode()
    lines = body.strip().splitlines()
    assert lines[0].startswith("time,actor,action") and len(lines) == 3
    assert "moderation.topic_lock" in body and json.dumps({"is_locked": False}).replace('"', '""') in body
    client.force_login(UserFactory())
    assert client.get(reverse("forum:mod_audit")).status_code == 403


def test_csv_export_neutralises_formulas(client, staff, moderator, topic_a):
    lock.topic_lock(actor=moderator, topic=topic_a, locked=True, reason="=HYPERLINK(\"http://evil\")")
    client.force_login(staff)
    body = b"".join(client.get(reverse("forum:mod_audit"), {"format": "csv"}).streaming_content).decode()
    assert "'=HYPERLINK" in body


# --- pages and API end to end ----------------------------------------------------------------------
def test_report_page_and_api_flow(client, topic_a, moderator):
    post = reply(topic_a)
    reporter = UserFactory()
    client.force_login(reporter)
    response = client.get(reverse("forum:report", args=["post", post.pk]))
    assert response.status_code == 200 and "Spam or advertising" in response.content.decode()
    response = client.post(reverse("forum:report", args=["post", post.pk]), {"reason": "other", "message": ""})
    assert response.status_code == 400 and not ModerationItem.objects.exists()
    response = client.post(reverse("forum:report", args=["post", post.pk]), {"reason": "abuse", "message": "rude"})
    assert response.status_code == 302
    item = ModerationItem.objects.get()
    client.force_login(moderator)
    response = client.post(f"/api/v1/moderation/queue/{item.pk}/claim")
    assert response.status_code == 200 and response.json()["claimed_by"] == moderator.username
    response = client.post(f"/api/v1/moderation/queue/{item.pk}/resolve",
                           {"resolution": "upheld", "action": "hide", "note": "rude"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "resolved"
    assert Post.objects.get(pk=post.pk).is_hidden


def test_topic_moderation_page_and_api(client, topic_a, cat_b, moderator, cat_mod):
    client.force_login(cat_mod)
    response = client.post(reverse("forum:mod_topic", args=[topic_a.pk]), {"action": "lock", "reason": "heat"})
    assert response.status_code == 302 and Topic.objects.get(pk=topic_a.pk).is_locked
    response = client.post(f"/api/v1/moderation/topics/{topic_a.pk}", {"action": "move", "category": "beta"},
                           content_type="application/json")
    assert response.status_code == 403 and Topic.objects.get(pk=topic_a.pk).category_id == topic_a.category_id
    client.force_login(moderator)
    response = client.post(f"/api/v1/moderation/topics/{topic_a.pk}", {"action": "move", "category": "beta"},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["category_id"] == cat_b.pk


def test_sanction_page(client, moderator, member):
    client.force_login(moderator)
    response = client.post(reverse("forum:mod_member", args=[member.username]),
                           {"action": "sanction", "kind": "ban", "reason": "", "until": ""})
    assert response.status_code == 400 and not MemberSanction.objects.exists()
    response = client.post(reverse("forum:mod_member", args=[member.username]),
                           {"action": "sanction", "kind": "ban", "reason": "bot account", "until": ""})
    assert response.status_code == 302
    assert User.objects.get(pk=member.pk).is_banned
    assert MemberSanction.objects.get().is_permanent


def test_item_history_events_are_append_only(topic_a):
    item = reports.report_create(actor=UserFactory(), target=topic_a, reason="spam").item
    event = ModerationItemEvent.objects.filter(item=item).first()
    from audit.models import AppendOnlyError

    with pytest.raises(AppendOnlyError):
        event.save()


def test_category_counters_unchanged_by_held_reply(cat_a):
    topic = TopicFactory.create(category=cat_a)
    Category.objects.filter(pk=cat_a.pk).update(approve_new_members=True)
    cat_a.refresh_from_db()
    before = Category.objects.get(pk=cat_a.pk).post_count
    services.post_create(actor=UserFactory(), topic=topic, body="first reply")
    assert Category.objects.get(pk=cat_a.pk).post_count == before

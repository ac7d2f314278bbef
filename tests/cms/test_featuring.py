"""Featuring (精华): who may, what it writes (flag, hot weight, notification, points once, audit),
and that hidden content leaves the featured lists."""

import pytest
from django.db.models import Sum
from django.urls import reverse

from audit.models import AuditLog
from engagement.points.models import PointsAccount, PointsEntry
from forum import selectors, services
from forum.errors import Conflict, InvalidInput, NotAllowed
from forum.models import Notification, Topic
from forum.moderation import registry
from forum.ranking import FEATURED_BONUS, hot_score_python
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def featured_points(member):
    return PointsEntry.objects.filter(member=member, reason="featured").aggregate(s=Sum("amount"))["s"] or 0


def balance(member):
    return PointsAccount.objects.filter(member=member).values_list("balance", flat=True).first() or 0


def test_editor_features_a_topic_pays_notifies_weighs_and_audits(editor, member, topic,
                                                               django_capture_on_commit_callbacks):
    before_balance = balance(member)
    before_hot = Topic.objects.get(pk=topic.pk).hot_score
    with django_capture_on_commit_callbacks(execute=True):
        services.topic_feature(actor=editor, topic=topic, featured=True, note="  写得很好，  推荐 ")
    topic.refresh_from_db()
    assert topic.is_featured and topic.featured_by == editor and topic.featured_note == "写得很好， 推荐"
    assert topic.featured_at is not None
    # hot: the SQL update gives the same value as the documented formula, with the featured bonus
    expected = hot_score_python(vote_score=topic.vote_score, reply_count=topic.reply_count,
                                created_at=topic.created_at, is_featured=True)
    assert topic.hot_score == pytest.approx(expected)
    assert topic.hot_score > before_hot
    assert FEATURED_BONUS == 10
    # the author is notified, with the note
    note = Notification.objects.get(recipient=member, kind=Notification.Kind.FEATURED)
    assert "写得很好" in note.message and note.url == topic.get_absolute_url() and note.actor == editor
    # +5 points, once
    assert featured_points(member) == 5
    assert balance(member) == before_balance + 5
    # audit log
    entry = AuditLog.objects.get(action="forum.topic_feature")
    assert entry.actor == editor and entry.subject == member and entry.target_id == str(topic.pk)


def test_featuring_twice_is_a_conflict_and_pays_once(editor, member, topic, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.topic_feature(actor=editor, topic=topic, featured=True)
    with pytest.raises(Conflict), django_capture_on_commit_callbacks(execute=True):
        services.topic_feature(actor=editor, topic=topic, featured=True, note="again")
    assert featured_points(member) == 5
    assert Notification.objects.filter(recipient=member, kind="featured").count() == 1
    assert AuditLog.objects.filter(action="forum.topic_feature").count() == 1


def test_unfeature_takes_points_back_once_and_refeature_pays_again(editor, member, topic,
                                                                    django_capture_on_commit_callbacks):
    from engagement.points.services import points_sync_featured

    start = balance(member)
    with django_capture_on_commit_callbacks(execute=True):
        services.topic_feature(actor=editor, topic=topic, featured=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.topic_feature(actor=editor, topic=topic, featured=False)
    topic.refresh_from_db()
    assert not topic.is_featured and topic.featured_at is None and topic.featured_note == ""
    assert featured_points(member) == 0 and balance(member) == start
    # a retried task reverses nothing twice
    points_sync_featured(source_type="forum.topic", source_id=topic.pk)
    assert PointsEntry.objects.filter(member=member, reason="featured", kind="reversal").count() == 1
    assert balance(member) == start
    with pytest.raises(Conflict):
        services.topic_feature(actor=editor, topic=topic, featured=False)
    # featured again: paid again (a new earning), so the balance follows the state
    with django_capture_on_commit_callbacks(execute=True):
        services.topic_feature(actor=editor, topic=topic, featured=True)
    assert featured_points(member) == 5 and balance(member) == start + 5
    assert AuditLog.objects.filter(action="forum.topic_unfeature").count() == 1


def test_a_member_cannot_feature(member, other_member, topic, django_capture_on_commit_callbacks):
    with pytest.raises(NotAllowed), django_capture_on_commit_callbacks(execute=True):
        services.topic_feature(actor=other_member, topic=topic, featured=True)
    post = topic.posts.get(number=1)
    with pytest.raises(NotAllowed):
        services.post_feature(actor=other_member, post=post, featured=True)
    topic.refresh_from_db()
    assert not topic.is_featured and featured_points(member) == 0
    assert not AuditLog.objects.filter(action__startswith="forum.topic_feature").exists()


def test_a_member_posting_to_the_feature_url_gets_403_and_nothing_changes(client, other_member, topic):
    client.force_login(other_member)
    response = client.post(reverse("cms:feature_topic", args=[topic.pk]), {"action": "feature", "note": "x"})
    assert response.status_code == 403
    assert "Only editors and moderators may feature content." in response.content.decode()
    topic.refresh_from_db()
    assert not topic.is_featured


def test_an_editor_cannot_moderate(editor, topic):
    with pytest.raises(NotAllowed):
        registry.run("topic", "hide", actor=editor, obj=topic)
    with pytest.raises(NotAllowed):
        registry.run("post", "hide", actor=editor, obj=topic.posts.get(number=1))
    topic.refresh_from_db()
    assert not topic.is_hidden


def test_moderators_may_feature(moderator, member, topic, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.topic_feature(actor=moderator, topic=topic, featured=True)
    assert featured_points(member) == 5


def test_hidden_content_cannot_be_featured(editor, moderator, topic):
    registry.run("topic", "hide", actor=moderator, obj=topic)
    with pytest.raises(NotAllowed):  # an editor may not even read a hidden topic
        services.topic_feature(actor=editor, topic=topic, featured=True)
    with pytest.raises(InvalidInput):
        services.topic_feature(actor=moderator, topic=topic, featured=True)
    assert not Topic.objects.get(pk=topic.pk).is_featured


def test_note_too_long_is_refused_and_writes_nothing(editor, topic):
    with pytest.raises(InvalidInput) as info:
        services.topic_feature(actor=editor, topic=topic, featured=True, note="长" * 301)
    assert info.value.field == "note"
    assert not Topic.objects.get(pk=topic.pk).is_featured


def test_featuring_a_reply_pays_its_author(editor, member, other_member, topic, django_capture_on_commit_callbacks):
    reply = services.post_create(actor=other_member, topic=topic, body="一条非常有见地的回复")
    with django_capture_on_commit_callbacks(execute=True):
        services.post_feature(actor=editor, post=reply, featured=True, note="好回复")
    reply.refresh_from_db()
    assert reply.is_featured and reply.featured_note == "好回复"
    assert featured_points(other_member) == 5 and featured_points(member) == 0
    assert Notification.objects.filter(recipient=other_member, kind="featured", post=reply).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.post_feature(actor=editor, post=reply, featured=False)
    assert featured_points(other_member) == 0


def test_featured_topic_later_hidden_leaves_the_lists_and_the_feed(client, editor, moderator, member, topic,
                                                                  django_capture_on_commit_callbacks):
    other = TopicFactory.create(author=member, category=topic.category, title="另一个精华话题 visible")
    with django_capture_on_commit_callbacks(execute=True):
        services.topic_feature(actor=editor, topic=topic, featured=True)
        services.topic_feature(actor=editor, topic=other, featured=True)
    assert [t.pk for t in selectors.featured_topics(user=member).object_list] == [other.pk, topic.pk]
    registry.run("topic", "hide", actor=moderator, obj=topic)
    for user in (member, moderator):  # a public list: not even moderators see hidden topics there
        assert [t.pk for t in selectors.featured_topics(user=user).object_list] == [other.pk]
    page = client.get(reverse("cms:featured")).content.decode()
    assert other.title in page and topic.title not in page
    feed = client.get(reverse("cms:feed_featured_rss")).content.decode()
    assert other.title in feed and topic.title not in feed


def test_featured_posts_list_excludes_hidden_posts_and_private_categories(client, editor, moderator, member,
                                                                          other_member, topic, private_category):
    visible = services.post_create(actor=other_member, topic=topic, body="可见的精华回复 visible-reply")
    hidden = services.post_create(actor=other_member, topic=topic, body="将被隐藏的回复 hidden-reply")
    staff = UserFactory(is_staff=True)
    secret = TopicFactory.create(author=staff, category=private_category, title="内部讨论 secret-topic")
    services.post_feature(actor=editor, post=visible, featured=True)
    services.post_feature(actor=editor, post=hidden, featured=True)
    services.topic_feature(actor=staff, topic=secret, featured=True)
    registry.run("post", "hide", actor=moderator, obj=hidden)
    assert [p.pk for p in selectors.featured_posts(user=member).object_list] == [visible.pk]
    assert list(selectors.featured_topics(user=member).object_list) == []
    assert [t.pk for t in selectors.featured_topics(user=staff).object_list] == [secret.pk]
    html = client.get(reverse("cms:featured") + "?type=posts").content.decode()
    assert "visible-reply" in html and "hidden-reply" not in html
    assert "secret-topic" not in client.get(reverse("cms:featured")).content.decode()


def test_feature_and_unfeature_from_the_page(client, editor, member, topic, django_capture_on_commit_callbacks):
    client.force_login(editor)
    url = reverse("cms:feature_topic", args=[topic.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "feature", "note": "编辑推荐", "next": "/featured/"})
    assert response.status_code == 302 and response["Location"] == "/featured/"
    page = client.get("/featured/").content.decode()
    assert topic.title in page and "编辑推荐" in page and "Unfeature topic" in page
    assert featured_points(member) == 5
    # an outside "next" is ignored
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "unfeature", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == topic.get_absolute_url()
    assert featured_points(member) == 0
    assert client.post(url, {"action": "explode"}).status_code == 400
    assert client.post(url, {"action": "unfeature"}).status_code == 409


def test_feature_controls_include_shows_button_only_to_editors(rf, editor, member, topic):
    from django.template import Context, Template

    template = Template("{% load cms_tags %}{% feature_controls topic %}")
    for user, expected in ((editor, True), (member, False)):
        request = rf.get("/")
        request.user = user
        html = template.render(Context({"request": request, "topic": topic, "csrf_token": "t"}))
        assert ("Feature topic" in html) is expected
    services.topic_feature(actor=editor, topic=topic, featured=True)
    topic.refresh_from_db()
    request = rf.get("/")
    request.user = member
    html = template.render(Context({"request": request, "topic": topic}))
    assert "badge-featured" in html and "Unfeature" not in html


def test_admin_featured_screen_features_by_address(client, editor, member, topic, django_capture_on_commit_callbacks):
    client.force_login(editor)
    url = reverse("cms_featured_admin")
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"target": f"http://localhost{topic.get_absolute_url()}", "note": "后台加精"})
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.is_featured and topic.featured_note == "后台加精"
    response = client.post(url, {"target": "not a topic"})
    assert response.status_code == 400 and "/t/12/" in response.content.decode()
    assert client.post(url, {"target": "/t/999999/"}).status_code == 400

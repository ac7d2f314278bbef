"""The moderators' page about a member (/mod/u/<username>/): what they wrote, reports on them and by them,
sanctions with who, when and why, level and points (engagement's slot), notes by staff (audited), and the
sanctions to apply; a fixed number of queries however much the member wrote. Also the audit log's readable
rendering and the messages staff read after acting (API, admin bulk actions, the digest's "propose now")."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditLog
from forum import services
from forum.moderation import bans, notes, reports
from forum.moderation.models import StaffNote
from tests.factories import CategoryFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def target(db):
    return UserFactory(username="troubled", display_name="麻烦制造者")


def _url(member):
    return reverse("forum:mod_member", args=[member.username])


def test_plain_members_and_category_moderators_may_not_open_it(client, member, target):
    client.force_login(member)
    assert client.get(_url(target)).status_code == 403
    assert client.post(_url(target), {"action": "note", "text": "x"}).status_code == 403
    assert not StaffNote.objects.exists()


def test_it_shows_posts_reports_sanctions_points_and_notes(client, moderator, target, other_member):
    category = CategoryFactory(name="综合讨论")
    topic = TopicFactory.create(author=target, category=category, title="麻烦制造者的话题", body="第一条内容")
    reply = services.post_create(actor=target, topic=topic, body="一条有问题的回复")
    reports.report_create(actor=other_member, target=reply, reason="abuse", message="骂人了")
    other_topic = TopicFactory.create(author=other_member, title="别人的话题内容")
    reports.report_create(actor=target, target=other_topic, reason="spam")
    bans.member_sanction(actor=moderator, member=target, kind="silence", reason="冷静一下", until=None)
    notes.note_create(actor=moderator, member=target, text="已私信提醒过一次")
    client.force_login(moderator)
    page = client.get(_url(target)).content.decode()
    assert "麻烦制造者的话题" in page and "一条有问题的回复" in page  # recent posts
    assert "Reports against this member" in page and "骂人了" in page and other_member.name in page
    assert "Reports by this member" in page and "别人的话题内容" in page
    assert "冷静一下" in page and f"by {moderator.name}" in page  # sanction: why and who
    assert "已私信提醒过一次" in page  # staff notes
    assert "Level and points" in page and "Level 1" in page  # engagement's slot
    assert f"{reverse('forum:mod_audit')}?subject=troubled" in page


def test_a_note_is_saved_audited_and_confirmed(client, moderator, target):
    client.force_login(moderator)
    response = client.post(_url(target), {"action": "note", "text": "多次发广告，下次封禁"}, follow=True)
    assert "The note is saved" in response.content.decode()
    note = StaffNote.objects.get()
    assert (note.member, note.author, note.text) == (target, moderator, "多次发广告，下次封禁")
    entry = AuditLog.objects.get(action="moderation.member_note")
    assert (entry.actor, entry.subject, entry.target_type) == (moderator, target, "forum.staffnote")
    from audit import labels

    assert labels.action_label(entry.action) == "Add a staff note about a member"


def test_an_empty_note_is_a_400_and_nothing_is_saved(client, moderator, target):
    client.force_login(moderator)
    response = client.post(_url(target), {"action": "note", "text": "   "})
    assert response.status_code == 400
    assert not StaffNote.objects.exists()


def test_staff_members_page_is_readable_without_the_sanction_forms(client, moderator):
    staff = UserFactory(is_staff=True)
    client.force_login(moderator)
    page = client.get(_url(staff)).content.decode()
    assert "You may read this page, but not sanction this member" in page
    assert 'value="sanction"' not in page
    assert client.post(_url(staff), {"action": "sanction", "kind": "ban", "reason": "x"}).status_code == 403


def test_ban_from_the_page_asks_first_and_says_it_is_done(client, moderator, target):
    client.force_login(moderator)
    page = client.get(_url(target)).content.decode()
    assert "data-confirm=" in page and "Apply this sanction to 麻烦制造者?" in page
    response = client.post(_url(target), {"action": "sanction", "kind": "ban", "reason": "屡教不改"}, follow=True)
    assert "麻烦制造者 is banned." in response.content.decode()
    target.refresh_from_db()
    assert target.is_banned


def test_fixed_number_of_queries_with_n_and_2n_posts(client, moderator, target):
    from forum.ratelimit import suspended

    category = CategoryFactory()
    counts = []
    n = 5
    for size in (n, 2 * n):
        with suspended():
            while target.posts.count() < size:
                topic = TopicFactory.create(author=target, category=category,
                                            title=f"话题标题 {target.posts.count()}")
                reports.report_create(actor=UserFactory(), target=topic, reason="spam")
                reports.report_create(actor=target, target=TopicFactory.create(title=f"别人的话题 {size}"),
                                      reason="spam")
        StaffNote.objects.create(member=target, author=moderator, text=f"note {size}")
        client.force_login(moderator)
        client.get(_url(target))  # warm caches (levels, rules)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_url(target)).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts


def test_member_names_in_the_queue_link_to_the_page(client, moderator, target, other_member):
    topic = TopicFactory.create(author=target, title="被举报的话题标题")
    reports.report_create(actor=other_member, target=topic, reason="spam")
    client.force_login(moderator)
    page = client.get(reverse("forum:mod_queue")).content.decode()
    assert _url(target) in page


# --- the audit log --------------------------------------------------------------------------------
def test_audit_log_shows_labels_links_and_a_readable_before_after_table(client, moderator, target):
    bans.member_sanction(actor=moderator, member=target, kind="ban", reason="广告", until=None)
    client.force_login(moderator)
    page = client.get(reverse("forum:mod_audit"), {"subject": "troubled"}).content.decode()
    assert '<td data-label="What">Ban a member</td>' in page
    assert ">moderation.member_ban<" not in page
    assert "{'" not in page and "&#x27;active&#x27;" not in page  # never a Python dict
    assert '<table class="audit-changes">' in page and "<th scope=\"row\">active</th><td>no</td><td>yes</td>" in page
    assert f'href="{_url(target)}"' in page  # the member concerned and the actor link to their pages
    assert f'href="{_url(moderator)}"' in page
    assert 'role="combobox"' in page  # the filters are choosers
    assert 'data-label="When"' in page  # one card per entry on a phone


def test_audit_filters_by_the_choosers_values(client, moderator, target):
    topic = TopicFactory.create(title="要精选的话题标题")
    services.topic_feature(actor=moderator, topic=topic, featured=True, note="好文")
    bans.member_sanction(actor=moderator, member=target, kind="ban", reason="广告", until=None)
    client.force_login(moderator)
    by_topic = client.get(reverse("forum:mod_audit"), {"topic": str(topic.pk), "topic__search": "要精选的话题标题",
                                                       "topic__label": "要精选的话题标题"}).content.decode()
    assert ">Feature a topic</td>" in by_topic and ">Ban a member</td>" not in by_topic
    by_actor = client.get(reverse("forum:mod_audit"), {"actor": moderator.username}).content.decode()
    assert ">Feature a topic</td>" in by_actor and ">Ban a member</td>" in by_actor
    bad = client.get(reverse("forum:mod_audit"), {"actor": "", "actor__search": "nobody-by-that-name"})
    assert bad.status_code == 400 and "nobody-by-that-name" in bad.content.decode()


def test_moderators_see_their_own_event_actions(client, moderator):
    from audit.log import audit_record

    other = UserFactory()
    audit_record(actor=moderator, action="events.create", reason="新活动", target=other)
    audit_record(actor=other, action="events.create", reason="别人的活动", target=other)
    client.force_login(moderator)
    page = client.get(reverse("forum:mod_audit")).content.decode()
    assert "新活动" in page and "别人的活动" not in page


# --- messages after actions -----------------------------------------------------------------------
def test_api_moderation_verbs_say_what_they_did(client, moderator):
    from forum.tokens import api_token_create

    topic = TopicFactory.create(title="接口锁定的话题")
    _token, secret = api_token_create(actor=moderator, name="moderation script")
    response = client.post(f"/api/v1/moderation/topics/{topic.pk}", {"action": "lock", "reason": "吵架"},
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200, response.content
    assert response.json()["message"] == "The topic is locked."


def test_admin_bulk_actions_say_what_the_verb_did(admin_client):
    from django.contrib.messages import get_messages

    topics = [TopicFactory.create(title=f"批量锁定话题 {i}") for i in range(2)]
    url = reverse("admin:forum_topic_changelist")
    response = admin_client.post(url, {"action": "topic_lock", "_selected_action": [topics[0].pk]},
                                 HTTP_ACCEPT_LANGUAGE="en")
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["The topic is locked."]
    response = admin_client.post(url, {"action": "topic_unlock", "_selected_action": [topics[0].pk]},
                                 HTTP_ACCEPT_LANGUAGE="en")
    response = admin_client.post(url, {"action": "topic_lock", "_selected_action": [t.pk for t in topics]},
                                 HTTP_ACCEPT_LANGUAGE="en")
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages[-1] == "The topic is locked. (2 topics updated.)"


def test_digest_propose_now_for_editors(client, member):
    from django.contrib.auth.models import Group

    from cms.models import DigestPage
    from forum.permissions import EDITORS

    url = reverse("cms_digest_admin")
    editor = UserFactory()
    editor.groups.add(Group.objects.get_or_create(name=EDITORS)[0])
    from django.contrib.auth.models import Permission

    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(member)
    assert client.post(url).status_code in (302, 403)
    assert not DigestPage.objects.exists()
    client.force_login(editor)
    assert "Propose now" in client.get(url).content.decode()
    response = client.post(url, follow=True)
    page = DigestPage.objects.get()
    assert response.redirect_chain[-1][0] == reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert "is ready: review and publish it." in response.content.decode()
    entry = AuditLog.objects.get(action="cms.digest_propose")
    assert entry.actor == editor and entry.data["created"] is True
    response = client.post(url, follow=True)
    assert "exists already" in response.content.decode()
    assert DigestPage.objects.count() == 1

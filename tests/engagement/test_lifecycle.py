"""Lifecycle classification on hand-made activity histories, idempotent reruns, recall campaigns
(notification, email, bonus on return, effectiveness) and who may see the dashboard."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from engagement.lifecycle import services
from engagement.lifecycle.models import MemberStage, RecallCampaign, RecallRecipient, RecallTemplate, Stage, StageDaily
from engagement.points.models import PointsEntry
from forum.errors import InvalidInput, NotAllowed
from forum.models import Category, Notification, Post, PostVote, Topic, User


@pytest.fixture(autouse=True)
def _english(settings):
    """Assertions read English text: pages and messages in English whatever the default language."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield

DAY = timezone.localdate()


def at(days_ago, hour=12):
    tz = timezone.get_current_timezone()
    return datetime.datetime.combine(DAY, datetime.time(hour), tzinfo=tz) - datetime.timedelta(days=days_ago)


class History:
    """Members with posts on chosen days (days ago from DAY)."""

    def __init__(self):
        self.category = Category.objects.create(name="General", slug="general")
        self.other = User.objects.create(username="someone", email="someone@example.com", date_joined=at(900))
        self.anchor_topic = Topic.objects.create(category=self.category, title="anchor", author=self.other,
                                                 created_at=at(400), post_count=1)
        self.anchor = Post.objects.create(topic=self.anchor_topic, number=1, author=self.other, source="x", html="x",
                                          created_at=at(400))

    def member(self, name, *, joined, posts=(), votes=()):
        user = User.objects.create(username=name, email=f"{name}@example.com", date_joined=at(joined, 9))
        if posts:
            topic = Topic.objects.create(category=self.category, title=f"{name}'s topic", author=user,
                                         created_at=at(max(posts)))
            Post.objects.bulk_create([
                Post(topic=topic, number=i + 1, author=user, source="x", html="x", created_at=at(d))
                for i, d in enumerate(sorted(posts, reverse=True))])
        for d in votes:
            PostVote.objects.update_or_create(post=self.anchor, user=user, defaults={"value": 1, "created_at": at(d)})
        return user


def every(step, start, stop):
    return list(range(start, stop, step))


@pytest.fixture
def history(db):
    h = History()
    h.newbie = h.member("newbie", joined=3, posts=[1])
    h.steady = h.member("steady", joined=200, posts=every(2, 0, 100))  # every other day, up to today
    h.fading = h.member("fading", joined=200, posts=every(2, 15, 100) + [6])  # 3.5 a week, then 1 in 14 days
    h.occasional = h.member("occasional", joined=300, posts=every(10, 9, 100))  # 0.7 a week: no habit to lose
    h.gone = h.member("gone", joined=300, posts=every(3, 45, 150))
    h.silent = h.member("silent", joined=40)
    h.returner = h.member("returner", joined=400, posts=every(4, 60, 120), votes=[5])
    h.old_returner = h.member("old_returner", joined=400, posts=every(3, 100, 160) + every(2, 0, 41))
    h.young = h.member("young", joined=20, posts=every(2, 0, 19))  # too young for a baseline
    return h


def stage_of(user):
    return MemberStage.objects.get(member=user).stage


@pytest.mark.django_db
def test_classification_of_hand_made_histories(history):
    services.lifecycle_classify(today=DAY)
    assert stage_of(history.newbie) == Stage.NEW
    assert stage_of(history.steady) == Stage.ACTIVE
    assert stage_of(history.fading) == Stage.AT_RISK
    assert stage_of(history.occasional) == Stage.ACTIVE
    assert stage_of(history.gone) == Stage.CHURNED
    assert stage_of(history.silent) == Stage.CHURNED
    assert stage_of(history.returner) == Stage.RECALLED
    assert stage_of(history.old_returner) == Stage.ACTIVE
    assert stage_of(history.young) == Stage.ACTIVE
    fading = MemberStage.objects.get(member=history.fading)
    assert fading.baseline_rate == pytest.approx(3.5, abs=0.3) and fading.recent_rate == 0.5
    gone = MemberStage.objects.get(member=history.gone)
    assert gone.last_active_at == at(45) and gone.posts == len(every(3, 45, 150)) and gone.topics == 1
    assert gone.main_category == history.category
    returner = MemberStage.objects.get(member=history.returner)
    assert returner.votes == 1 and returner.last_active_at == at(5)


@pytest.mark.django_db
def test_churn_boundary_is_thirty_days(history):
    edge = history.member("edge", joined=300, posts=[29, 60])
    over = history.member("over", joined=300, posts=[30, 60])
    services.lifecycle_classify(today=DAY)
    assert stage_of(edge) != Stage.CHURNED
    assert stage_of(over) == Stage.CHURNED


@pytest.mark.django_db
def test_rerun_is_idempotent_and_since_moves_only_on_change(history):
    first = services.lifecycle_classify(today=DAY - datetime.timedelta(days=1))
    rows = {r.member_id: (r.stage, r.since) for r in MemberStage.objects.all()}
    again = services.lifecycle_classify(today=DAY - datetime.timedelta(days=1))
    assert again == first
    assert {r.member_id: (r.stage, r.since) for r in MemberStage.objects.all()} == rows
    assert StageDaily.objects.filter(day=DAY - datetime.timedelta(days=1)).count() == len(Stage.values)
    services.lifecycle_classify(today=DAY)
    steady = MemberStage.objects.get(member=history.steady)
    assert steady.since == DAY - datetime.timedelta(days=1)  # unchanged stage keeps its date
    total = sum(StageDaily.objects.filter(day=DAY).values_list("count", flat=True))
    assert total == User.objects.filter(is_active=True).count()


@pytest.mark.django_db
def test_inactive_accounts_are_dropped(history):
    services.lifecycle_classify(today=DAY)
    User.objects.filter(pk=history.gone.pk).update(is_active=False)
    services.lifecycle_classify(today=DAY)
    assert not MemberStage.objects.filter(member=history.gone).exists()


# --- recall ----------------------------------------------------------------------------------------
@pytest.fixture
def classified(history, moderator):
    services.lifecycle_classify(today=timezone.localdate())
    return history


def test_template_with_an_unknown_placeholder_is_refused(db, moderator):
    before = RecallTemplate.objects.count()
    with pytest.raises(InvalidInput, match="Unknown placeholder"):
        services.recall_template_save(actor=moderator, name="x", subject="Hi {name}", body="{password}")
    with pytest.raises(InvalidInput, match="Unknown placeholder"):
        services.recall_template_save(actor=moderator, name="x", subject="Hi {name.__class__}", body="ok")
    assert RecallTemplate.objects.count() == before


def test_members_may_not_write_templates_or_recall(db, member):
    with pytest.raises(NotAllowed):
        services.recall_template_save(actor=member, name="x", subject="Hi", body="Hi")
    with pytest.raises(NotAllowed):
        services.recall_campaign_create(actor=member, template=RecallTemplate.objects.first(), name="x", stage=4)
    assert not RecallCampaign.objects.exists()


@pytest.mark.django_db
def test_recall_notifies_emails_and_pays_the_bonus_on_return(classified, moderator, django_capture_on_commit_callbacks):
    from forum import services as forum_services

    template = services.recall_template_save(actor=moderator, name="Come back", subject="{name}, we miss you",
                                             body="Hello {name}, last seen {last_active}. Bonus: {bonus}. {url}")
    churned = set(MemberStage.objects.filter(stage=Stage.CHURNED).values_list("member_id", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        campaign = services.recall_campaign_create(actor=moderator, template=template, name="March",
                                                   stage=Stage.CHURNED, bonus_points=20)
    assert set(campaign.recipients.values_list("member_id", flat=True)) == churned
    gone = classified.gone
    note = Notification.objects.get(recipient=gone, kind=Notification.Kind.SYSTEM)
    assert note.message == "gone, we miss you"
    emails = {m.to[0]: m for m in mail.outbox}
    assert set(emails) == {u.email for u in User.objects.filter(pk__in=churned)}
    assert "Bonus: 20." in emails[gone.email].body and f"Hello {gone.name}" in emails[gone.email].body
    assert RecallRecipient.objects.filter(campaign=campaign, emailed_at__isnull=False).count() == len(churned)

    # a second campaign skips members whose recall is still open
    with pytest.raises(InvalidInput, match="nobody to recall"):
        services.recall_campaign_create(actor=moderator, template=template, name="Again", stage=Stage.CHURNED)

    # gone comes back by replying: marked at once by the hook, bonus paid once
    with django_capture_on_commit_callbacks(execute=True):
        forum_services.post_create(actor=gone, topic=classified.anchor_topic, body="I am back!")
    row = RecallRecipient.objects.get(campaign=campaign, member=gone)
    assert row.returned_at is not None and row.bonus_awarded == 20
    assert services.recall_track_returns() == 0  # the sweep finds nothing more to do
    entries = PointsEntry.objects.filter(member=gone, reason=services.RECALL_RULE)
    assert [e.amount for e in entries] == [20]


@pytest.mark.django_db
def test_the_daily_sweep_counts_returns_within_fourteen_days_only(classified, moderator):
    template = RecallTemplate.objects.first()
    campaign = services.recall_campaign_create(actor=moderator, template=template, name="Sweep",
                                               stage=Stage.CHURNED, bonus_points=0)
    sent = campaign.created_at
    # silent votes after 3 days (counts), gone only after 20 days (does not)
    PostVote.objects.create(post=classified.anchor, user=classified.silent, value=1,
                            created_at=sent + datetime.timedelta(days=3))
    Post.objects.create(topic=classified.anchor_topic, number=2, author=classified.gone, source="x", html="x",
                        created_at=sent + datetime.timedelta(days=20))
    assert services.recall_track_returns(now=sent + datetime.timedelta(days=21)) == 1
    assert RecallRecipient.objects.get(campaign=campaign, member=classified.silent).returned_at is not None
    assert RecallRecipient.objects.get(campaign=campaign, member=classified.gone).returned_at is None
    assert services.recall_track_returns(now=sent + datetime.timedelta(days=21)) == 0  # idempotent


# --- pages -----------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_only_moderators_see_the_dashboard(client, member, moderator):
    for name in ("lifecycle:dashboard", "lifecycle:export", "lifecycle:campaigns", "lifecycle:recall",
                 "lifecycle:template_new"):
        url = reverse(name)
        client.logout()
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
        client.force_login(member)
        assert client.get(url).status_code == 403, name
        client.force_login(moderator)
        assert client.get(url).status_code == 200, name
    client.force_login(member)
    assert client.post(reverse("lifecycle:recall"), {"name": "x"}).status_code == 403
    assert not RecallCampaign.objects.exists()


@pytest.mark.django_db
def test_dashboard_shows_lists_chart_and_filters(client, classified, moderator):
    services.lifecycle_classify(today=timezone.localdate() - datetime.timedelta(days=1))
    client.force_login(moderator)
    page = client.get(reverse("lifecycle:dashboard")).content.decode()
    assert "<svg" in page and "<title" in page and "Data table" in page
    assert ">gone<" in page and ">fading<" in page and ">steady<" not in page  # at risk and churned by default
    churned_only = client.get(reverse("lifecycle:dashboard"), {"stage": Stage.CHURNED}).content.decode()
    assert ">gone<" in churned_only and ">fading<" not in churned_only
    found = client.get(reverse("lifecycle:dashboard"), {"stage": Stage.CHURNED, "q": "silent"}).content.decode()
    assert ">silent<" in found and ">gone<" not in found


@pytest.mark.django_db
def test_csv_export_has_the_filtered_rows(client, classified, moderator):
    client.force_login(moderator)
    response = client.get(reverse("lifecycle:export"), {"stage": Stage.CHURNED})
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = [line for line in text.splitlines() if line]
    usernames = sorted(line.split(",")[0] for line in lines[1:])
    assert usernames == sorted(User.objects.filter(lifecycle__stage=Stage.CHURNED).values_list("username", flat=True))
    assert "gone" in usernames


@pytest.mark.django_db
def test_recall_form_sends_and_campaign_page_shows_effectiveness(client, classified, moderator):
    client.force_login(moderator)
    template = RecallTemplate.objects.first()
    response = client.post(reverse("lifecycle:recall") + f"?stage={Stage.CHURNED}",
                           {"name": "Spring", "template": template.pk, "stage": Stage.CHURNED, "bonus_points": "5"})
    assert response.status_code == 302
    campaign = RecallCampaign.objects.get(name="Spring")
    RecallRecipient.objects.filter(campaign=campaign, member=classified.gone).update(returned_at=timezone.now())
    page = client.get(reverse("lifecycle:campaigns")).content.decode()
    sent = campaign.recipients.count()
    assert "Spring" in page and f"1 ({round(100 / sent, 1)}%)" in page
    bad = client.post(reverse("lifecycle:recall"), {"name": "", "template": template.pk, "stage": 2})
    assert bad.status_code == 400 and RecallCampaign.objects.count() == 1


@pytest.mark.django_db
def test_template_edit_page_saves_and_shows_errors(client, moderator):
    client.force_login(moderator)
    template = RecallTemplate.objects.first()
    url = reverse("lifecycle:template_edit", args=[template.pk])
    bad = client.post(url, {"name": "T", "subject": "Hi {nme}", "body": "x"})
    assert bad.status_code == 400 and "Unknown placeholder {nme}" in bad.content.decode()
    ok = client.post(url, {"name": "T2", "subject": "Hi {name}", "body": "Come back to {site_name}"})
    assert ok.status_code == 302
    template.refresh_from_db()
    assert template.name == "T2" and template.subject == "Hi {name}"

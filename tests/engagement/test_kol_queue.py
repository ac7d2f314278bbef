"""The KOL candidate queue: who may see it, accept / dismiss / snooze / restore, and that decided
members are not proposed again while the decision holds."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from audit.models import AuditLog
from engagement.badges.models import MemberBadge
from engagement.kol import services
from engagement.kol.models import KolDecision, KolScore
from forum.errors import Conflict, InvalidInput, NotAllowed
from forum.models import Notification
from tests.engagement.test_kol_scoring import DAY, build_community


@pytest.fixture(autouse=True)
def _english(settings):
    """Assertions read English text: pages and messages in English whatever the default language."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def community(db):
    c = build_community()
    services.kol_scores_compute(day=DAY - datetime.timedelta(days=1))
    services.kol_scores_compute(day=DAY)
    return c


@pytest.mark.django_db
def test_only_moderators_see_the_queue(client, member, moderator):
    for url in (reverse("kol:queue"), reverse("kol:decisions"), reverse("kol:member", args=[member.username])):
        client.logout()
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        client.force_login(member)
        assert client.get(url).status_code == 403
        client.force_login(moderator)
        assert client.get(url).status_code == 200
    client.force_login(member)
    response = client.post(reverse("kol:decide", args=[member.username]), {"action": "accept", "reason": "me"})
    assert response.status_code == 403
    assert not KolDecision.objects.exists()


def test_members_cannot_decide(db, member, other_member):
    with pytest.raises(NotAllowed):
        services.kol_accept(actor=member, member=other_member, reason="I like them")
    assert not KolDecision.objects.exists()


@pytest.mark.django_db
def test_queue_shows_candidates_with_reasons_changes_and_history(client, community):
    moderator = community.moderators[0]
    client.force_login(moderator)
    page = client.get(reverse("kol:queue"), {"period": 30}).content.decode()
    for kol in community.kols:
        assert f"@{kol.username}" in page
    assert "distinct members upvoted" in page
    assert 'class="sparkline"' in page and "Score over the last 2 runs" in page
    assert "unchanged" in page or "▲" in page or "▼" in page
    for ringer in community.ring:
        assert f"@{ringer.username}<" not in page
    # a category with no activity has an empty snapshot only after a run for it
    empty = client.get(reverse("kol:queue"), {"period": 7}).content.decode()
    assert "No scores for this period and category yet" in empty


@pytest.mark.django_db
def test_member_page_has_chart_and_data_table(client, community):
    client.force_login(community.moderators[0])
    kol = community.kols[0]
    page = client.get(reverse("kol:member", args=[kol.username])).content.decode()
    assert "<svg" in page and 'role="img"' in page and "Data table" in page
    rows = KolScore.objects.filter(member=kol).order_by("run__day")
    for s in rows:
        assert s.run.day.strftime("%Y-%m-%d") in page


@pytest.mark.django_db
def test_accept_adds_group_badge_notification_and_audit(client, community):
    moderator, kol = community.moderators[0], community.kols[0]
    client.force_login(moderator)
    response = client.post(reverse("kol:decide", args=[kol.username]),
                           {"action": "accept", "reason": "Great threads on deployment"})
    assert response.status_code == 302
    assert kol.groups.filter(name="KOL").exists()
    assert MemberBadge.objects.filter(member=kol, badge__slug="kol", revoked_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=kol, message__contains="KOL programme").exists()
    decision = KolDecision.objects.get(member=kol)
    assert decision.kind == "accepted" and decision.score is not None
    assert AuditLog.objects.filter(action="kol.accepted", subject=kol, reason="Great threads on deployment").exists()
    page = client.get(reverse("kol:queue")).content.decode()
    assert f"@{kol.username}" not in page
    with pytest.raises(Conflict):
        services.kol_accept(actor=moderator, member=kol, reason="again")


@pytest.mark.django_db
def test_a_reason_is_required_and_nothing_is_written_without_one(client, community):
    client.force_login(community.moderators[0])
    kol = community.kols[1]
    client.post(reverse("kol:decide", args=[kol.username]), {"action": "dismiss", "reason": "  "})
    assert not KolDecision.objects.filter(member=kol).exists()
    with pytest.raises(InvalidInput):
        services.kol_snooze(actor=community.moderators[0], member=kol, reason="later", days="0")
    assert not KolDecision.objects.filter(member=kol).exists()


@pytest.mark.django_db
def test_dismissed_and_snoozed_are_not_proposed_again_until_restored_or_expired(community):
    moderator = community.moderators[0]
    dismissed, snoozed = community.kols[1], community.kols[2]
    services.kol_dismiss(actor=moderator, member=dismissed, reason="Mostly self-promotion")
    services.kol_snooze(actor=moderator, member=snoozed, reason="Ask again next month", days=10)
    run = services.kol_scores_compute(day=DAY)  # rerun today's snapshot
    ranked = set(KolScore.objects.filter(run=run).values_list("member_id", flat=True))
    assert dismissed.pk not in ranked and snoozed.pk not in ranked
    # the snooze expires
    KolDecision.objects.filter(member=snoozed).update(until=timezone.now() - datetime.timedelta(minutes=1))
    run = services.kol_scores_compute(day=DAY)
    ranked = set(KolScore.objects.filter(run=run).values_list("member_id", flat=True))
    assert snoozed.pk in ranked and dismissed.pk not in ranked
    services.kol_restore(actor=moderator, member=dismissed, reason="Changed their ways")
    run = services.kol_scores_compute(day=DAY)
    assert KolScore.objects.filter(run=run, member=dismissed).exists()
    assert AuditLog.objects.filter(action="kol.restore", subject=dismissed).exists()


@pytest.mark.django_db
def test_category_filter_on_the_queue(client, community):
    services.kol_scores_compute(day=DAY, category=community.category)
    client.force_login(community.moderators[0])
    page = client.get(reverse("kol:queue"), {"period": 30, "category": community.category.slug}).content.decode()
    assert f"@{community.kols[0].username}" in page

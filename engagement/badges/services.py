"""Badge writes: automatic awards (idempotent: one row per member and badge, ever), manual grants
and revocations by moderators (with a reason, in the audit log), the displayed-badge choice, and
the backfill that runs when a rule is added."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import AuditReasonMissing, audit_record, clean_reason
from engagement.checkin.models import CheckinStats
from engagement.levels.models import MemberLevel
from engagement.points.models import PointsEntry, PointsRule
from forum.errors import Conflict, InvalidInput, NotAllowed
from forum.models import Notification, User
from forum.permissions import check_member
from forum.services import notification_create

from . import permissions
from .models import Badge, BadgeChoice, MemberBadge


def _notify(member, badge):
    notification_create(
        recipient=member, kind=Notification.Kind.SYSTEM,
        message=_("You earned the badge “%(badge)s”.") % {"badge": badge.name},
        url=reverse("engagement:member_badges", args=[member.username]),
    )


@transaction.atomic
def badge_award(*, member, badge, notify=True):
    """Give a badge by its rule. Returns the new MemberBadge, or None when the member already
    holds it or once held it and a moderator revoked it."""
    if MemberBadge.objects.filter(member_id=member.pk, badge=badge).exists():
        return None
    try:
        with transaction.atomic():
            held = MemberBadge.objects.create(member_id=member.pk, badge=badge, reason=_("Earned automatically"))
    except IntegrityError:
        return None  # a concurrent award won
    if notify:
        _notify(member, badge)
    return held


def _qualifies(member, badge):
    n = badge.threshold or 0
    if badge.rule == Badge.Rule.FIRST_TOPIC:
        return member.topic_count >= 1
    if badge.rule == Badge.Rule.FIRST_FEATURED:
        return PointsEntry.objects.filter(member_id=member.pk, reason=PointsRule.FEATURED,
                                          kind=PointsEntry.Kind.EARN).exists()
    if badge.rule == Badge.Rule.UPVOTES_RECEIVED:
        return n > 0 and member.upvotes_received >= n
    if badge.rule == Badge.Rule.CHECKIN_STREAK:
        best = CheckinStats.objects.filter(member_id=member.pk).values_list("longest_streak", flat=True).first()
        return n > 0 and (best or 0) >= n
    if badge.rule == Badge.Rule.LEVEL_REACHED:
        number = MemberLevel.objects.filter(member_id=member.pk).values_list("level_number", flat=True).first()
        return n > 0 and (number or 0) >= n
    return False


def badges_evaluate(*, member_id, rules=None):
    """Award every active automatic badge (of the given rules) the member now qualifies for."""
    member = User.objects.filter(pk=member_id, is_active=True).first()
    if member is None:
        return []
    badges = Badge.objects.filter(is_active=True, rule__in=list(rules or Badge.AUTOMATIC))
    held = set(MemberBadge.objects.filter(member_id=member_id).values_list("badge_id", flat=True))
    return [
        awarded for badge in badges
        if badge.pk not in held and _qualifies(member, badge)
        and (awarded := badge_award(member=member, badge=badge)) is not None
    ]


def _candidates(badge):
    n = badge.threshold or 0
    if badge.rule == Badge.Rule.FIRST_TOPIC:
        return User.objects.filter(topic_count__gte=1)
    if badge.rule == Badge.Rule.FIRST_FEATURED:
        ids = PointsEntry.objects.filter(reason=PointsRule.FEATURED, kind=PointsEntry.Kind.EARN).values("member_id")
        return User.objects.filter(pk__in=ids)
    if badge.rule == Badge.Rule.UPVOTES_RECEIVED and n:
        return User.objects.filter(upvotes_received__gte=n)
    if badge.rule == Badge.Rule.CHECKIN_STREAK and n:
        return User.objects.filter(checkin_stats__longest_streak__gte=n)
    if badge.rule == Badge.Rule.LEVEL_REACHED and n:
        return User.objects.filter(member_level__level_number__gte=n)
    return User.objects.none()


def badges_backfill(*, badge_id, batch_size=500):
    """Award a (new or changed) automatic badge to every existing member who qualifies, in
    batches of their own transactions; safe to stop and run again. Returns how many were awarded."""
    badge = Badge.objects.filter(pk=badge_id, is_active=True).first()
    if badge is None or not badge.is_automatic:
        return 0
    awarded = 0
    last_pk = 0
    while True:
        batch = list(
            _candidates(badge).filter(is_active=True, pk__gt=last_pk)
            .exclude(member_badges__badge=badge).order_by("pk")[:batch_size]
        )
        if not batch:
            break
        for member in batch:
            if badge_award(member=member, badge=badge) is not None:
                awarded += 1
        last_pk = batch[-1].pk
    return awarded


def badge_schedule_backfill(*, badge):
    """Called when an operator saves an automatic badge: backfill after the save commits."""
    if not (badge.is_active and badge.is_automatic):
        return
    from .tasks import badges_backfill_task

    transaction.on_commit(lambda: badges_backfill_task.delay(badge.pk))


def _reason(reason):
    try:
        return clean_reason(reason)
    except AuditReasonMissing:
        raise InvalidInput(_("Say why: a reason is required."), field="reason") from None


@transaction.atomic
def badge_grant(*, actor, member, badge, reason, audited=True):
    """A moderator grants a manual (or KOL) badge, or gives back a revoked one. `audited=False` is for an action
    that grants the badge as its own part and records it in its own audit entry (accepting a KOL)."""
    permissions.check_manage_badges(actor)
    reason = _reason(reason)
    if badge.rule not in Badge.GRANTABLE:
        raise InvalidInput(_("“%(badge)s” is awarded by its rule and cannot be granted by hand.")
                           % {"badge": badge.name}, code="automatic_badge")
    held = MemberBadge.objects.select_for_update().filter(member_id=member.pk, badge=badge).first()
    now = timezone.now()
    if held is not None and held.revoked_at is None:
        raise Conflict(_("%(member)s already holds “%(badge)s”.") % {"member": member.name, "badge": badge.name})
    if held is None:
        held = MemberBadge.objects.create(member_id=member.pk, badge=badge, granted_at=now, granted_by=actor,
                                          reason=reason)
    else:
        held.granted_at, held.granted_by, held.reason = now, actor, reason
        held.revoked_at, held.revoked_by, held.revoke_reason = None, None, ""
        held.save(update_fields=["granted_at", "granted_by", "reason", "revoked_at", "revoked_by", "revoke_reason"])
    if audited:
        audit_record(actor=actor, action="badges.grant", reason=reason, target=badge, subject=member)
    _notify(member, badge)
    return held


@transaction.atomic
def badge_revoke(*, actor, member, badge, reason):
    """A moderator takes a badge away (any badge); the automatic rule will not give it back."""
    permissions.check_manage_badges(actor)
    reason = _reason(reason)
    held = MemberBadge.objects.select_for_update().filter(member_id=member.pk, badge=badge,
                                                          revoked_at__isnull=True).first()
    if held is None:
        raise Conflict(_("%(member)s does not hold “%(badge)s”.") % {"member": member.name, "badge": badge.name})
    held.revoked_at, held.revoked_by, held.revoke_reason = timezone.now(), actor, reason
    held.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    BadgeChoice.objects.filter(member_id=member.pk, badge=badge).delete()
    audit_record(actor=actor, action="badges.revoke", reason=reason, target=badge, subject=member)
    return held


@transaction.atomic
def badge_choose(*, actor, badge):
    """Choose the badge shown next to your name (None to show none)."""
    check_member(actor)
    if badge is None:
        BadgeChoice.objects.filter(member_id=actor.pk).delete()
        return None
    if not MemberBadge.objects.filter(member_id=actor.pk, badge=badge, revoked_at__isnull=True,
                                      badge__is_active=True).exists():
        raise NotAllowed(_("You can only show a badge you hold."))
    BadgeChoice.objects.update_or_create(member_id=actor.pk, defaults={"badge": badge})
    return badge


@transaction.atomic
def badge_give_bought(*, member, badge, note):
    """A badge bought in the rewards shop (engagement.shop): held from now, with `note` (the order)
    as its reason; one the member lost to a revocation is given back. Refused (Conflict) when the
    member already holds it, so the purchase rolls back and nothing is spent."""
    held = MemberBadge.objects.select_for_update().filter(member_id=member.pk, badge=badge).first()
    if held is not None and held.revoked_at is None:
        raise Conflict(_("You already hold the badge “%(badge)s”.") % {"badge": badge.name}, code="already_held")
    now = timezone.now()
    if held is None:
        held = MemberBadge.objects.create(member_id=member.pk, badge=badge, reason=note, granted_at=now)
    else:
        held.granted_at, held.reason = now, note
        held.revoked_at, held.revoked_by, held.revoke_reason = None, None, ""
        held.save(update_fields=["granted_at", "reason", "revoked_at", "revoked_by", "revoke_reason"])
    _notify(member, badge)
    return held


@transaction.atomic
def badge_take_back_bought(*, member, badge, note):
    """Undo badge_give_bought when its order is cancelled and refunded (only the badge given with
    that note). Returns True when a badge was taken back."""
    deleted, _detail = MemberBadge.objects.filter(member_id=member.pk, badge=badge, reason=note).delete()
    if deleted:
        BadgeChoice.objects.filter(member_id=member.pk, badge=badge).delete()
    return bool(deleted)

"""Daily check-in writes. One transaction each, the member's CheckinStats row locked first, so a
double click, two tabs or two API clients check in once."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from engagement import extension
from engagement.points.models import PointsRule
from engagement.points.periods import local_day
from engagement.points.services import points_award, points_spend
from forum.errors import Conflict, NotAllowed
from forum.permissions import check_member

from . import selectors
from .models import CheckIn, CheckinStats

MAKEUP_REASON = "checkin_makeup"


def _lock_stats(member_id):
    stats = CheckinStats.objects.select_for_update().filter(member_id=member_id).first()
    if stats is None:
        CheckinStats.objects.bulk_create([CheckinStats(member_id=member_id)], ignore_conflicts=True)
        stats = CheckinStats.objects.select_for_update().get(member_id=member_id)
    return stats


def _award_day(*, member, day, streak):
    """The check-in points and any streak bonus for `day`; idempotent per member and day.
    Returns the points newly written (0 for what was already awarded)."""
    total = 0
    entry = points_award(member=member, rule_code=PointsRule.CHECKIN, source_type="checkin.day",
                         source_id=day.isoformat())
    total += entry.amount if entry is not None and not entry.duplicate else 0
    bonus = selectors.streak_bonus_for(streak)
    if bonus:
        entry = points_award(member=member, rule_code=PointsRule.CHECKIN_STREAK_BONUS, amount=bonus,
                             source_type="checkin.day", source_id=day.isoformat(),
                             note=_("Day %(n)d of a check-in streak") % {"n": streak})
        total += entry.amount if entry is not None and not entry.duplicate else 0
    return total


@transaction.atomic
def checkin_today(*, actor):
    """Check in for today (site time zone). A second check-in the same day is a Conflict and
    writes nothing."""
    check_member(actor)
    today = local_day()
    stats = _lock_stats(actor.pk)
    if CheckIn.objects.filter(member_id=actor.pk, day=today).exists():
        raise Conflict(_("You have already checked in today. Come back tomorrow!"), code="already_checked_in")
    yesterday = today - datetime.timedelta(days=1)
    streak = stats.current_streak + 1 if stats.last_day == yesterday else 1
    points = _award_day(member=actor, day=today, streak=streak)
    checkin = CheckIn.objects.create(member_id=actor.pk, day=today, streak=streak, points=points,
                                     created_at=timezone.now())
    stats.current_streak = streak
    stats.longest_streak = max(stats.longest_streak, streak)
    stats.last_day = today
    stats.total_days += 1
    stats.save(update_fields=["current_streak", "longest_streak", "last_day", "total_days"])
    extension.checked_in.send(member=actor, checkin=checkin, stats=stats)
    return checkin


@transaction.atomic
def checkin_makeup(*, actor):
    """补签: check in for yesterday, with a make-up card bought in the shop when the member holds one
    (extension.voucher_use), else paying the make-up cost in points. It mends the streak (and
    today's streak when today is already checked in, with any bonus that now applies) but earns
    no check-in points itself. Refused, with nothing written, when switched off, when the member
    joined only today (no missed day), when yesterday is already checked in or when the balance is
    short."""
    check_member(actor)
    conf = selectors.checkin_settings()
    if not conf.makeup_enabled:
        raise NotAllowed(_("Make-up check-ins are switched off."), code="makeup_disabled")
    today = local_day()
    yesterday = today - datetime.timedelta(days=1)
    stats = _lock_stats(actor.pk)
    if yesterday < selectors.joined_day(actor):
        raise Conflict(_("You joined today: there is no missed day to make up yet."),
                       code="nothing_to_make_up")
    if CheckIn.objects.filter(member_id=actor.pk, day=yesterday).exists():
        raise Conflict(_("You already checked in yesterday: there is nothing to make up."),
                       code="already_checked_in")
    voucher = extension.voucher_use.ask(member=actor, kind="makeup_card", ref=f"checkin-{yesterday.isoformat()}")
    if conf.makeup_cost and voucher is None:
        points_spend(member=actor, amount=conf.makeup_cost, reason=MAKEUP_REASON, key=f"day-{yesterday.isoformat()}",
                     note=_("Make-up check-in for %(day)s") % {"day": yesterday.isoformat()})
    before = CheckIn.objects.filter(member_id=actor.pk, day=yesterday - datetime.timedelta(days=1)).first()
    streak = before.streak + 1 if before else 1
    checkin = CheckIn.objects.create(member_id=actor.pk, day=yesterday, streak=streak, points=0, is_makeup=True,
                                     created_at=timezone.now())
    best = streak
    todays = CheckIn.objects.select_for_update().filter(member_id=actor.pk, day=today).first()
    if todays is not None:
        todays.streak = streak + 1
        todays.points += _award_day(member=actor, day=today, streak=todays.streak)
        todays.save(update_fields=["streak", "points"])
        best = todays.streak
        stats.current_streak, stats.last_day = todays.streak, today
    elif stats.last_day is None or stats.last_day <= yesterday:
        stats.current_streak, stats.last_day = streak, yesterday
    stats.longest_streak = max(stats.longest_streak, best)
    stats.total_days += 1
    stats.save(update_fields=["current_streak", "longest_streak", "last_day", "total_days"])
    extension.checked_in.send(member=actor, checkin=checkin, stats=stats)
    return checkin

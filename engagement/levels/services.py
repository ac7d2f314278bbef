"""Writes of the levels app: keeping a member's level in step with lifetime earned points."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from engagement import extension
from engagement.points.models import PointsAccount
from forum import cache as fragment_cache
from forum.models import Notification, User
from forum.services import notification_create

from . import selectors
from .models import LevelChange, MemberLevel


@transaction.atomic
def level_sync(*, member_id, notify=True):
    """Put the member on the level their lifetime earned points reach. A change is recorded
    (LevelChange), notified in-app and announced (extension.level_changed). Returns the level."""
    member = User.objects.filter(pk=member_id).first()
    if member is None:
        return None
    row = MemberLevel.objects.select_for_update().filter(member_id=member_id).first()
    lifetime = PointsAccount.objects.filter(member_id=member_id).values_list("lifetime_earned", flat=True).first() or 0
    level = selectors.level_for_points(lifetime)
    if not level.number:
        return level  # no ladder defined
    lowest = selectors.level_ladder()[0]
    now = timezone.now()
    if row is None:
        MemberLevel.objects.create(member_id=member_id, level_number=level.number, changed_at=now)
        if level.number == lowest.number:
            return level  # a newcomer starts on the lowest level: nothing to announce
        old_number = lowest.number
    elif row.level_number == level.number:
        return level
    else:
        old_number = row.level_number
        row.level_number = level.number
        row.changed_at = now
        row.save(update_fields=["level_number", "changed_at"])
    LevelChange.objects.create(member_id=member_id, old_number=old_number, new_number=level.number,
                               lifetime_earned=lifetime, created_at=now)
    fragment_cache.bump_members()  # the level shows next to the member's name on cached pages
    old = selectors.level_by_number(old_number)
    promoted = old is None or level.min_points > old.min_points
    if notify:
        if promoted:
            message = _("Congratulations! You reached %(level)s.") % {"level": level.label}
        else:
            message = _("Your level is now %(level)s.") % {"level": level.label}
        notification_create(recipient=member, kind=Notification.Kind.SYSTEM, message=message,
                            url=reverse("engagement:member_points", args=[member.username]))
    extension.level_changed.send(member=member, old_level=old_number, new_level=level.number)
    return level


def levels_recompute_all(*, batch_size=500):
    """After the ladder was edited: re-sync every member whose stored level no longer matches.
    Each member is its own transaction, so the task can stop and be retried at any point."""
    changed = 0
    ladder = selectors.level_ladder()
    if not ladder:
        return 0
    stored = dict(MemberLevel.objects.values_list("member_id", "level_number"))
    last_pk = 0
    while True:
        accounts = list(PointsAccount.objects.filter(member_id__gt=last_pk).order_by("member_id")
                        .values_list("member_id", "lifetime_earned")[:batch_size])
        if not accounts:
            break
        for member_id, lifetime in accounts:
            expected = selectors.level_for_points(lifetime).number
            if stored.get(member_id, ladder[0].number) != expected:
                level_sync(member_id=member_id)
                changed += 1
        last_pk = accounts[-1][0]
    return changed

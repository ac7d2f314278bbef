"""Reads of the level ladder and members' levels. The ladder is small and read on every post, so
it is cached (and dropped whenever an operator edits a level)."""

from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist

from engagement.points.selectors import account_get

from .models import Level

LADDER_CACHE_KEY = "engagement:levels:ladder:v2"


@dataclass(frozen=True)
class LevelInfo:
    number: int
    name: str
    min_points: int
    color: str
    posts_per_hour: int | None
    max_links: int | None
    max_images: int | None
    can_create_polls: bool
    report_weight: int
    can_apply_moderator: bool
    votes_per_day: int | None = None
    reports_per_day: int | None = None

    @property
    def label(self):
        return f"Lv{self.number} {self.name}"


FALLBACK = LevelInfo(0, "", 0, "#868e96", None, None, None, False, 1, False)


def level_ladder():
    """Every level, lowest first."""
    ladder = cache.get(LADDER_CACHE_KEY)
    if ladder is None:
        ladder = [
            LevelInfo(lv.number, lv.name, lv.min_points, lv.color, lv.posts_per_hour, lv.max_links,
                      lv.max_images, lv.can_create_polls, lv.report_weight, lv.can_apply_moderator,
                      lv.votes_per_day, lv.reports_per_day)
            for lv in Level.objects.order_by("min_points")
        ]
        cache.set(LADDER_CACHE_KEY, ladder, 600)
    return ladder


def ladder_invalidate():
    cache.delete(LADDER_CACHE_KEY)


def level_for_points(points):
    """The highest level whose threshold `points` reaches (the lowest level below every threshold)."""
    ladder = level_ladder()
    if not ladder:
        return FALLBACK
    found = ladder[0]
    for level in ladder:
        if points >= level.min_points:
            found = level
        else:
            break
    return found


def level_by_number(number):
    for level in level_ladder():
        if level.number == number:
            return level
    return None


def next_level(level):
    for candidate in level_ladder():
        if candidate.min_points > level.min_points:
            return candidate
    return None


def lowest_level_where(predicate):
    """The first level, lowest first, that satisfies predicate(level); None if no level does."""
    for level in level_ladder():
        if predicate(level):
            return level
    return None


def member_level(member):
    """The member's current level. Reads `member.member_level` (no query when the caller used
    select_related("member_level")); a member without a row is on the lowest level."""
    if member is None or not getattr(member, "pk", None):
        return level_for_points(0)
    try:
        row = member.member_level
    except ObjectDoesNotExist:
        row = None
    if row is not None:
        level = level_by_number(row.level_number)
        if level is not None:
            return level
    return level_for_points(0)


def level_progress(*, member):
    """Current level, next level, lifetime points, points still needed and percent of the way."""
    account = account_get(member=member)
    lifetime = account.lifetime_earned
    current = level_for_points(lifetime)  # from the points themselves, even before level_sync has run
    upcoming = next_level(current)
    if upcoming is None:
        return {"level": current, "next": None, "lifetime": lifetime, "needed": 0, "percent": 100}
    span = max(upcoming.min_points - current.min_points, 1)
    done = min(max(lifetime - current.min_points, 0), span)
    return {
        "level": current, "next": upcoming, "lifetime": lifetime,
        "needed": max(upcoming.min_points - lifetime, 0), "percent": int(done * 100 / span),
    }

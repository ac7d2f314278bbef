"""Listeners of the leaderboards: keep the Redis rankings in step after each commit."""

from engagement import extension

from . import rankings


@extension.points_changed.connect
def points_ranked(*, member_id, entry, period_at=None, **kwargs):
    if entry.lifetime_amount:
        rankings.points_add(member_id=member_id, category_id=entry.category_id, delta=entry.lifetime_amount,
                            at=period_at or entry.created_at)


@extension.checked_in.connect
def streak_ranked(*, member, checkin, stats, **kwargs):
    rankings.streak_set(member_id=member.pk, current=stats.current_streak, longest=stats.longest_streak,
                        last_day=stats.last_day)

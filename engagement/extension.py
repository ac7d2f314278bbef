"""Extension points between the engagement sub-apps (same contract as forum.hooks).

The sub-apps build on each other in one direction: points <- levels <- checkin <- badges <- leaderboards.
A lower app announces what happened here; a higher app listens in its own hooks.py. Receivers run
after the transaction commits, each in its own robust on-commit callback."""

from forum.hooks import Event

points_changed = Event(
    "points_changed",
    "member_id, entry (the PointsEntry written), old_lifetime, new_lifetime, period_at (the time whose "
    "week and month the change counts in: the award's own time, or the original award's for a reversal)",
)
level_changed = Event("level_changed", "member, old_level (number or None), new_level (number)")
checked_in = Event("checked_in", "member, checkin (CheckIn), stats (CheckinStats)")

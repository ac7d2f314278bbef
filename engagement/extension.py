"""Extension points between the engagement sub-apps (same contract as forum.hooks).

The sub-apps build on each other in one direction: points <- levels <- checkin <- badges <- leaderboards.
A lower app announces what happened here; a higher app listens in its own hooks.py. Receivers run
after the transaction commits, each in its own robust on-commit callback."""

from forum.hooks import Event, Provider

points_changed = Event(
    "points_changed",
    "member_id, entry (the PointsEntry written), old_lifetime, new_lifetime, period_at (the time whose "
    "week and month the change counts in: the award's own time, or the original award's for a reversal)",
)
level_changed = Event("level_changed", "member, old_level (number or None), new_level (number)")
checked_in = Event("checked_in", "member, checkin (CheckIn), stats (CheckinStats)")

# --- vouchers: things bought in the shop that pay for an action instead of points ----------------
# kinds: "makeup_card" (checkin_makeup), "lottery_ticket" (lottery_enter, for a lottery with a cost)


def _no_voucher(*, member, kind, ref):
    return None


def _no_vouchers_held(*, member, kind):
    return 0


voucher_use = Provider(
    "voucher_use", _no_voucher,
    "ask(member=, kind=, ref=) -> a reference (str) of the voucher used up, or None when the member holds "
    "none. It runs inside the caller's transaction and locks what it uses, so a voucher pays once; the "
    "shop connects it (engagement/shop/hooks.py).")
voucher_count = Provider("voucher_count", _no_vouchers_held,
                         "ask(member=, kind=) -> how many unused vouchers of that kind the member holds")

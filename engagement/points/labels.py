"""What a person reads for a ledger reason code: `reason_label("reply_created")` is "回复" in
Chinese, never the code. Earning rules an operator adds in the admin are named by their rule's
name; codes nobody named fall back to a readable form of the code."""

from django.utils.translation import gettext_lazy as _

REASONS = {
    "topic_created": _("New topic"),
    "reply_created": _("Reply"),
    "upvote_received": _("Upvote received"),
    "featured": _("Featured (精华)"),
    "checkin": _("Daily check-in"),
    "checkin_streak_bonus": _("Check-in streak bonus"),
    "checkin_makeup": _("Make-up check-in"),
    "poll_vote": _("Poll vote"),
    "event_participation": _("Event participation"),
    "manual_grant": _("Granted by staff"),
    "manual_deduction": _("Deducted by staff"),
    "task_reward": _("Task reward"),
    "recall_bonus": _("Welcome-back bonus"),
    "commission_reward": _("Commission reward"),
    "shop_redeem": _("Rewards shop"),
    "lottery_entry": _("Lottery entry"),
    "bounty_escrow": _("Bounty offered"),
    "bounty_paid": _("Bounty won"),
    "bounty_refund": _("Bounty refunded"),
    "tip_given": _("Tip given"),
    "tip_received": _("Tip received"),
}


def reason_label(code, rule_names=None):
    """The label of a reason code; `rule_names` ({code: name}) names rules added in the admin."""
    if code in REASONS:
        return str(REASONS[code])
    if rule_names and code in rule_names:
        return rule_names[code]
    return str(code).replace("_", " ").capitalize()

"""The words for the audit entries the engagement apps write (audit.labels)."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "points.grant": _("Grant points"),
    "points.deduct": _("Deduct points"),
    "points.reverse": _("Reverse a points entry"),
    "badges.grant": _("Award a badge"),
    "badges.revoke": _("Take back a badge"),
    "event.create": _("Create an event"),
    "event.edit": _("Edit an event"),
    "event.cancel": _("Cancel an event"),
    "poll.create": _("Create a poll"),
    "poll.close": _("Close a poll"),
    "lottery.create": _("Create a lottery"),
    "lottery.edit": _("Edit a lottery"),
    "lottery.draw": _("Draw a lottery"),
    "lottery.cancel": _("Cancel a lottery"),
    "kol.accepted": _("Accept a KOL candidate"),
    "kol.dismissed": _("Dismiss a KOL candidate"),
    "kol.snoozed": _("Snooze a KOL candidate"),
    "kol.restore": _("Put a KOL candidate back in the queue"),
    "lifecycle.template_save": _("Save a recall template"),
    "lifecycle.recall": _("Send a recall campaign"),
    "shop.order_fulfil": _("Fulfil a shop order"),
    "shop.order_ship": _("Ship a shop order"),
    "shop.order_cancel": _("Cancel a shop order"),
    "tasks.credit_state": _("Credit task progress"),
    "bounty.resolve": _("Resolve a bounty"),
    "commission.invite": _("Commission a member"),
    "commission.accept": _("Accept a commission"),
    "commission.decline": _("Decline a commission"),
    "commission.submit": _("Hand in a commission"),
    "commission.return": _("Return a commission for changes"),
    "commission.pay": _("Accept and pay a commission"),
    "commission.cancel": _("Cancel a commission"),
    "commission.expire": _("Commission past its due date"),
}


def register():
    from audit import labels

    labels.register(LABELS)

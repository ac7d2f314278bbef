"""Bounty limits, from settings.HUOLI_BOUNTIES (any key missing takes the default below).

EXPIRY_RULE: what happens to a bounty nobody accepted by its deadline: "refund" (the points go
back to the asker) or "split" (shared among the SPLIT_TOP best-voted answers with a positive
score; a bounty without such answers is refunded). The rule is copied onto each bounty when it is
offered, so changing the setting never changes a promise already made."""

from django.conf import settings

DEFAULTS = {"MIN_AMOUNT": 5, "MAX_AMOUNT": 1000, "DAYS": 7, "EXPIRY_RULE": "refund", "SPLIT_TOP": 3}


def bounty_rules():
    return {**DEFAULTS, **getattr(settings, "HUOLI_BOUNTIES", {})}

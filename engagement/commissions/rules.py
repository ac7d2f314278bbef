"""Commission limits, from settings.HUOLI_COMMISSIONS (any key missing takes the default below)."""

from django.conf import settings

DEFAULTS = {"MIN_REWARD": 10, "MAX_REWARD": 5000, "MAX_DAYS": 90, "MAX_OPEN_PER_WRITER": 3}


def commission_rules():
    return {**DEFAULTS, **getattr(settings, "HUOLI_COMMISSIONS", {})}

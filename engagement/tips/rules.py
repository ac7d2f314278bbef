"""Tip limits, from settings.HUOLI_TIPS (any key missing takes the default below)."""

from django.conf import settings

DEFAULTS = {"MIN_LEVEL": 2, "MIN_AMOUNT": 1, "MAX_AMOUNT": 100, "DAILY_CAP": 200}


def tip_rules():
    return {**DEFAULTS, **getattr(settings, "HUOLI_TIPS", {})}

"""The lifecycle settings (settings.LIFECYCLE over these defaults), apart from classify.py so that web pages never
import numpy: it loads only where members are classified (Celery, commands)."""

from django.conf import settings

DEFAULTS = {
    "NEW_DAYS": 7,
    "CHURN_DAYS": 30,
    "RECALLED_DAYS": 30,
    "RECENT_DAYS": 14,
    "BASELINE_DAYS": 90,
    "MIN_BASELINE_PER_WEEK": 1.0,
    "AT_RISK_RATIO": 0.5,
    "RETURN_DAYS": 14,
    "LOOKBACK_DAYS": 180,
}


def config():
    return {**DEFAULTS, **getattr(settings, "LIFECYCLE", {})}

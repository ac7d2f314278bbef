"""The KOL settings (settings.KOL over these defaults). Kept apart from scoring.py so that web pages, which only
read the settings, never import numpy and scipy: those load only where scores are computed (Celery, commands)."""

from django.conf import settings

DEFAULTS = {
    "WINDOW_DAYS": 30,
    "PERIODS": [7, 30, 90],
    "PER_CATEGORY": True,
    "CANDIDATES": 30,
    "STORE": 200,  # how many ranked members each snapshot keeps (history charts, change since last run)
    "MIN_DISTINCT_VOTERS": 3,  # fewer distinct upvoters: not proposed
    "SNOOZE_DAYS": 30,
    "GROUP": "KOL",
    "BADGE_SLUG": "kol",
    "NEW_ACCOUNT_DAYS": 7,
    "ESTABLISHED_DAYS": 30,
    "RECIPROCAL_WEIGHT": 0.25,
    "DAMPING": 0.85,
    "ITERATIONS": 50,
    "TOLERANCE": 1e-9,
    "WEIGHTS": {"voters": 35, "repliers": 20, "influence": 20, "featured": 10, "provoked": 10, "active_days": 5},
    "REFERENCES": {"voters": 60, "repliers": 30, "influence": 50, "featured": 5, "provoked": 60, "active_days": 30},
}
SIGNALS = ("voters", "repliers", "influence", "featured", "provoked", "active_days")


def config():
    merged = {**DEFAULTS, **getattr(settings, "KOL", {})}
    merged["WEIGHTS"] = {**DEFAULTS["WEIGHTS"], **merged.get("WEIGHTS", {})}
    merged["REFERENCES"] = {**DEFAULTS["REFERENCES"], **merged.get("REFERENCES", {})}
    return merged

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
    "BOT_GROUP": "Bots",  # members of this group are bots: scored, never candidates
    "RECIPROCAL_WEIGHT": 0.5,  # a pair whose target engaged back
    "DEVOTION_PRIOR": 3,  # interactions elsewhere assumed for every source (a first vote is not devotion)
    "DEVOTION_FREE": 0.25,  # a source may give this share of its interactions to one member at no discount
    "CLUSTER_FREE": 0.2,  # a cluster's insularity excess up to this is normal ...
    "CLUSTER_FULL": 0.45,  # ... and from this on the cluster is fully closed
    "CLUSTER_DEGREE": 2,  # mutual partners per member inside a cluster up to this: a star, not closed
    "LPA_ITERATIONS": 30,
    "CONTEXT_DAYS": 90,  # the structure (rings, swarms, trust) is read over at least this many days
    "ACTIVITY_REF": 10,
    "CLOSED_MEMBER": 0.7,  # a member of a fully closed cluster keeps 30 % of every signal, from outside too
    "COHORT_FREE": 3,  # sources of one member who registered on the same day count as this many at most
    "TRUST_FLOOR": 0.05,
    "BACKFLOW": 0.3,  # the share of an engagement's weight that the trust walk also follows backwards  # the standing of an established account that no trust reaches
    "DAMPING": 0.85,
    "ITERATIONS": 50,
    "TOLERANCE": 1e-9,
    "WEIGHTS": {"voters": 35, "repliers": 20, "influence": 20, "featured": 10, "provoked": 10, "active_days": 5},
    "REFERENCES": {"voters": 200, "repliers": 80, "influence": 50, "featured": 5, "provoked": 150, "active_days": 30},
}
SIGNALS = ("voters", "repliers", "influence", "featured", "provoked", "active_days")


def config():
    merged = {**DEFAULTS, **getattr(settings, "KOL", {})}
    merged["WEIGHTS"] = {**DEFAULTS["WEIGHTS"], **merged.get("WEIGHTS", {})}
    merged["REFERENCES"] = {**DEFAULTS["REFERENCES"], **merged.get("REFERENCES", {})}
    return merged

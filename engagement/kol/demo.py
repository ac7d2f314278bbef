"""Demo content for `manage.py seed_demo`: today's KOL scores (every period, and per category), so the
candidate queue at /kol/ shows the demo's most engaging members with their reasons instead of an
empty page. What the daily beat task runs; a rerun replaces today's snapshots."""

from . import services
from .models import KolScore


def seed_demo(ctx):
    runs = services.kol_scores_compute_all()
    ranked = KolScore.objects.filter(run__in=runs, run__category__isnull=True).values("member").distinct().count()
    return [f"KOL: {len(runs)} score snapshots, {ranked} members ranked site-wide"]

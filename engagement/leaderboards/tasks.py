"""Thin Celery tasks of the leaderboards: rebuild the Redis rankings from the database."""

from celery import shared_task

from engagement.points.periods import local_day

from . import rankings


@shared_task(acks_late=True)
def leaderboards_rebuild_task(board="all"):
    """Rebuild one board ("pts:w:2025-05-12:0", "streak") or every current one ("all") from the
    database, so a Redis loss or a missed increment is repaired. Safe to run at any time."""
    if not rankings.enabled():
        return 0
    return rankings.rebuild(board, today=local_day())

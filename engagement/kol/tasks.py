from celery import shared_task

from . import services


@shared_task(acks_late=True, max_retries=2, default_retry_delay=300)
def kol_scores_compute_task():
    """Daily (beat): every configured KOL snapshot for today; a rerun replaces today's snapshots."""
    return [run.pk for run in services.kol_scores_compute_all()]

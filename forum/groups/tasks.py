from celery import shared_task

from . import rhythm


@shared_task(acks_late=True, max_retries=2, default_retry_delay=60)
def group_events_run_task():
    """Every 5 minutes (beat): open the session topics that are due and remind the members; idempotent."""
    return rhythm.group_events_run()

from celery import shared_task

from . import selectors, services


@shared_task(acks_late=True, max_retries=5, default_retry_delay=30)
def lottery_close_due_task(lottery_id):
    """At the end of the entry window: close entries and draw (idempotent, safe on any worker)."""
    return services.lottery_close_due(lottery_id=lottery_id)


@shared_task(acks_late=True, max_retries=5, default_retry_delay=30)
def lottery_opened_task(lottery_id):
    """At the start of the entry window: retire guests' cached card (nothing else changes then)."""
    return services.lottery_opened(lottery_id=lottery_id)


@shared_task(acks_late=True)
def lotteries_close_overdue_task():
    """Beat sweep: lotteries whose close task was lost or late."""
    return [services.lottery_close_due(lottery_id=pk) for pk in selectors.lotteries_due()]

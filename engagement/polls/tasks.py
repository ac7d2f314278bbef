from celery import shared_task

from . import selectors, services


@shared_task(acks_late=True, max_retries=5, default_retry_delay=30)
def poll_close_due_task(poll_id):
    return services.poll_close_due(poll_id=poll_id)


@shared_task(acks_late=True)
def polls_close_overdue_task():
    """Beat sweep: closes polls whose close task was lost or late."""
    return sum(1 for pk in selectors.polls_due_to_close() if services.poll_close_due(poll_id=pk))

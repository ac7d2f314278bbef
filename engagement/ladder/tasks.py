from celery import shared_task

from . import services


@shared_task(acks_late=True, max_retries=2, default_retry_delay=300)
def ladder_evaluate_task():
    """Daily (beat): propose the members who now qualify for their main group."""
    return services.ladder_evaluate()

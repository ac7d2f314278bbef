from celery import shared_task

from . import services


@shared_task(acks_late=True, max_retries=2, default_retry_delay=300)
def lifecycle_classify_task():
    """Daily (beat): classify every member, then sweep open recalls for members who came back."""
    counts = services.lifecycle_classify()
    services.recall_track_returns()
    return counts


@shared_task(acks_late=True, max_retries=5, default_retry_delay=60)
def recall_send_emails_task(campaign_id):
    return services.recall_send_emails(campaign_id=campaign_id)


@shared_task(acks_late=True, max_retries=5, default_retry_delay=30)
def recall_mark_returned_task(member_id):
    return services.recall_mark_returned(member_id=member_id)

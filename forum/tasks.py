from celery import shared_task

from . import services


@shared_task(bind=True, max_retries=5, default_retry_delay=10, acks_late=True)
def post_notify(self, post_id):
    """Fan a new post's notifications out to subscribers and mentioned members."""
    return services.post_notify_recipients(post_id=post_id)


@shared_task(acks_late=True)
def pins_expire_task():
    """Take down pins whose end date has passed (also scheduled by Celery beat every 5 minutes)."""
    from .moderation.pin import pins_expire

    return pins_expire()


@shared_task(acks_late=True, ignore_result=True)
def outbox_deliver(message_id):
    """Run one outbox message's task (forum.outbox) and mark it done; safe to receive twice."""
    from . import outbox

    return outbox.deliver(message_id)


@shared_task(acks_late=True, ignore_result=True)
def outbox_sweep():
    """Send again the outbox messages that are past due (Celery beat, every minute)."""
    from . import outbox

    return outbox.sweep()

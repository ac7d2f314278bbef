from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True)
def follows_topic_notify(topic_id):
    """Tell the followers of a new topic's author (enqueued through the outbox by hooks.py)."""
    return services.follows_notify_new_topic(topic_id=topic_id)

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def topic_events_prune(days=30):
    """Drop topic events older than `days` days. Safe to run any number of times."""
    from datetime import timedelta

    return services.topic_events_prune(older_than=timedelta(days=int(days)))

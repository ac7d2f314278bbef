"""Thin Celery tasks of the CMS (schedule them in CELERY_BEAT_SCHEDULE)."""

from celery import shared_task
from django.core.management import call_command

from . import services


@shared_task(bind=True, max_retries=3, default_retry_delay=60, acks_late=True)
def digest_propose_task(self, week_start=None):
    """Weekly (Monday morning): propose last week's digest as a draft. Safe to retry: one per week.
    `week_start` is an ISO date (a Monday) or None for the week before this one."""
    import datetime

    day = datetime.date.fromisoformat(week_start) if week_start else None
    page, created = services.digest_propose(week_start=day)
    return {"page": page.pk, "created": created}


@shared_task(acks_late=True)
def publish_scheduled_task():
    """Every minute: publish the pages whose go-live time has come and unpublish the expired ones
    (Wagtail's scheduled publishing)."""
    call_command("publish_scheduled", verbosity=0)

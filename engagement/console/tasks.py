import datetime

from celery import shared_task

from . import rollup


@shared_task(acks_late=True, max_retries=2, default_retry_delay=300)
def console_rollup_task(day=None):
    """Beat (hourly): roll up yesterday and today (site calendar days), or one given day (YYYY-MM-DD).
    Safe to run again: each day's rows are replaced."""
    if day:
        days = [datetime.date.fromisoformat(day)]
    else:
        today = rollup.today()
        days = [today - datetime.timedelta(days=1), today]
    for d in days:
        rollup.rollup_day(d)
    return [d.isoformat() for d in days]

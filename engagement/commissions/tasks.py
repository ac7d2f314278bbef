from celery import shared_task

from . import selectors, services


@shared_task(acks_late=True)
def commissions_expire_overdue_task():
    """Beat sweep: close commissions past their due date that were never handed in (idempotent)."""
    return [services.commission_expire(commission_id=pk) for pk in selectors.commissions_due()]

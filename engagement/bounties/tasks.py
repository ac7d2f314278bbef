from celery import shared_task

from . import selectors, services


@shared_task(acks_late=True, max_retries=5, default_retry_delay=30)
def bounty_expire_task(bounty_id):
    return services.bounty_expire(bounty_id=bounty_id)


@shared_task(acks_late=True)
def bounties_expire_overdue_task():
    """Beat sweep: every open bounty past its deadline, by its expiry rule (idempotent)."""
    return [services.bounty_expire(bounty_id=pk) for pk in selectors.bounties_due()]

"""Thin Celery tasks of the shop: ids in, one service call, safe to retry."""

from celery import shared_task

from forum.models import User

from . import services


@shared_task(acks_late=True, max_retries=5, default_retry_delay=30)
def shop_order_cancel_task(order_id, actor_id, reason):
    """Cancel and refund an order (bulk cancellations from the operator page). Running it twice
    refunds once: the service returns the cancelled order and the ledger key refuses a second refund."""
    actor = User.objects.get(pk=actor_id)
    return services.order_cancel(actor=actor, order_id=order_id, reason=reason).pk

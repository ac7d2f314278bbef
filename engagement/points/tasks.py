"""Thin Celery tasks. Each one reconciles the ledger with the forum's current state, so running it
twice (a retry, a duplicate delivery) changes nothing the second time."""

from celery import shared_task

from . import selectors, services


@shared_task(bind=True, max_retries=5, default_retry_delay=10, acks_late=True)
def points_sync_post_task(self, post_id):
    services.points_sync_post(post_id=post_id)


@shared_task(bind=True, max_retries=5, default_retry_delay=10, acks_late=True)
def points_sync_topic_task(self, topic_id):
    from forum.models import Post

    post_id = Post.objects.filter(topic_id=topic_id, number=1).values_list("pk", flat=True).first()
    if post_id:
        services.points_sync_post(post_id=post_id)


@shared_task(bind=True, max_retries=5, default_retry_delay=10, acks_late=True)
def points_sync_upvote_task(self, post_id, voter_id):
    services.points_sync_upvote(post_id=post_id, voter_id=voter_id)


@shared_task(bind=True, max_retries=5, default_retry_delay=10, acks_late=True)
def points_sync_featured_task(self, source_type, source_id):
    services.points_sync_featured(source_type=source_type, source_id=source_id)


@shared_task(acks_late=True)
def points_verify_balances_task():
    """Nightly: every cached balance must equal its ledger sum. Logs and returns the mismatches."""
    import logging

    wrong = selectors.accounts_out_of_balance()
    if wrong:
        logging.getLogger(__name__).error("points accounts out of balance with the ledger: %s", wrong[:50])
    return len(wrong)

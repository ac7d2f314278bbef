from celery import shared_task

from . import services


@shared_task(bind=True, max_retries=5, default_retry_delay=10, acks_late=True)
def badges_evaluate_task(self, member_id, rules=None):
    services.badges_evaluate(member_id=member_id, rules=rules)


@shared_task(acks_late=True)
def badges_backfill_task(badge_id):
    return services.badges_backfill(badge_id=badge_id)

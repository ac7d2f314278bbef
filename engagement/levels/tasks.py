from celery import shared_task

from . import services


@shared_task(bind=True, max_retries=5, default_retry_delay=10, acks_late=True)
def level_sync_task(self, member_id):
    services.level_sync(member_id=member_id)


@shared_task(acks_late=True)
def levels_recompute_all_task():
    return services.levels_recompute_all()

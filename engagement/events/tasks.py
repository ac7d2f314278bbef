import datetime

from celery import shared_task

from . import services


@shared_task(acks_late=True, max_retries=5, default_retry_delay=30)
def event_record_post_task(post_id):
    return len(services.event_record_post(post_id=post_id))


@shared_task(acks_late=True, max_retries=5, default_retry_delay=30)
def event_record_vote_task(poll_id, member_id, at):
    return len(services.event_record_vote(poll_id=poll_id, member_id=member_id,
                                          at=datetime.datetime.fromisoformat(at)))


@shared_task(acks_late=True, max_retries=5, default_retry_delay=30)
def event_record_entry_task(lottery_id, member_id, at):
    return len(services.event_record_entry(lottery_id=lottery_id, member_id=member_id,
                                           at=datetime.datetime.fromisoformat(at)))

"""Thin Celery tasks of email notifications (ids in, a service call, safe to run twice)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def mail_notification(notification_id):
    services.notification_recorded(notification_id=notification_id)


@shared_task(acks_late=True)
def mail_message(message_id, recipient_ids):
    services.message_recorded(message_id=message_id, recipient_ids=recipient_ids)


@shared_task(acks_late=True)
def mail_send_due():
    """Beat, every minute: send due mails (a batch over one SMTP connection)."""
    return services.due_send()

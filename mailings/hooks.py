"""Listeners of email notifications: every forum notification and every private message may be worth
a mail. The receivers are durable (forum.hooks.Event.connect_durable): the work is an outbox row of the
sender's own transaction, so a lost broker message costs a delay, never a mail."""

from forum import hooks, outbox
from forum.lib import slots
from messaging import extension as messaging


def on_notification(*, notification, **kwargs):
    from .tasks import mail_notification  # the task object: registered in this process (eager mode, no worker)

    outbox.enqueue(mail_notification, notification.pk)


def on_message(*, message, recipients, **kwargs):
    from .tasks import mail_message

    if recipients:
        outbox.enqueue(mail_message, message.pk, [m.pk for m in recipients])


def connect():
    hooks.notification_created.connect_durable(on_notification)
    messaging.message_sent.connect_durable(on_message)
    hooks.template_slots.register("nav_member", slots.template("mailings/nav_member.html"), order=90)

"""Send the outbox's pending after-commit effects to Celery now (forum.outbox).

Celery beat runs the same sweep every minute; this is for an operator after a broker outage, or for
a deployment without beat. `--all` sends every pending message, not only those past their deadline;
`--wait N` keeps sweeping until nothing is pending or N seconds have passed."""

import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from forum import outbox


class Command(BaseCommand):
    help = "Send the outbox's pending after-commit effects to Celery now."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Send every pending message, due or not.")
        parser.add_argument("--wait", type=float, default=0, help="Sweep until nothing is pending (seconds).")

    def handle(self, *args, **options):
        deadline = time.monotonic() + options["wait"]
        sent_total = 0
        while True:
            sent = outbox.sweep(everything=options["all"])
            sent_total += sent
            pending = outbox.pending_count()
            self.stdout.write(_("Sent %(sent)d; %(pending)d still pending.") % {"sent": sent, "pending": pending})
            if not pending or time.monotonic() >= deadline:
                break
            time.sleep(1)
        return None

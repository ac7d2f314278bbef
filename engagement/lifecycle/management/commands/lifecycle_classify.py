"""manage.py lifecycle_classify [--day YYYY-MM-DD]: classify every member now (the beat task runs
the same daily) and sweep open recalls for members who came back."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from engagement.lifecycle import services


class Command(BaseCommand):
    help = "Classify every member into a lifecycle stage and record today's counts."

    def add_arguments(self, parser):
        parser.add_argument("--day", default="", help="Classify as of this day (default: today).")

    def handle(self, *args, **options):
        day = None
        if options["day"]:
            try:
                day = datetime.date.fromisoformat(options["day"])
            except ValueError:
                raise CommandError("--day must be a date like 2026-03-01.") from None
        started = time.monotonic()
        counts = services.lifecycle_classify(today=day)
        returned = services.recall_track_returns()
        summary = ", ".join(f"{label}: {n}" for label, n in counts.items())
        self.stdout.write(f"{summary} ({time.monotonic() - started:.1f} s); {returned} recalled members came back")

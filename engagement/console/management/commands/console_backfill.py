"""manage.py console_backfill: roll up the console's daily facts for a range of days (oldest first,
since WAU, MAU and the funnel read the days before), with a progress bar.

    manage.py console_backfill                                  # the last 30 days
    manage.py console_backfill --from 2026-01-01 --to 2026-03-31
"""

import datetime
import sys

from django.core.management.base import BaseCommand, CommandError

from engagement.console import rollup
from engagement.kol.management.commands.kol_compute import Progress


class Command(BaseCommand):
    help = "Roll up the operator's console facts for every day from --from to --to (replacing those days' rows)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", default="", help="First day, YYYY-MM-DD (default: 29 days before --to).")
        parser.add_argument("--to", dest="last", default="", help="Last day, YYYY-MM-DD (default: today, site time).")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        try:
            last = datetime.date.fromisoformat(options["last"]) if options["last"] else rollup.today()
            first = (datetime.date.fromisoformat(options["first"]) if options["first"]
                     else last - datetime.timedelta(days=29))
        except ValueError:
            raise CommandError("--from and --to must be dates like 2026-03-01.") from None
        if first > last:
            raise CommandError("--from must be on or before --to.")
        progress = None if options["no_progress"] else Progress(sys.stderr)
        days = rollup.rollup_days(first, last, progress=progress)
        self.stdout.write(f"Rolled up {days} days, {first} to {last}.")

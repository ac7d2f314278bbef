"""manage.py kol_compute: compute KOL scores now (the beat task runs the same service daily).

    manage.py kol_compute                    # the default window over all categories
    manage.py kol_compute --window 7 --category news --day 2026-03-01
    manage.py kol_compute --all              # every configured period and category, like the beat task
"""

import datetime
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from engagement.kol import services
from forum.errors import ForumError
from forum.models import Category


class Progress:
    """A one-line progress bar on stderr (plain lines when stderr is not a terminal)."""

    WIDTH = 28

    def __init__(self, stream):
        self.stream = stream
        self.tty = stream.isatty()
        self.started = time.monotonic()

    def __call__(self, number, total, label):
        done = int(self.WIDTH * number / total)
        line = f"[{'#' * done}{'.' * (self.WIDTH - done)}] {number}/{total} {label} ({time.monotonic() - self.started:.1f} s)"
        if self.tty:
            self.stream.write("\r" + line.ljust(78))
            if number == total:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


class Command(BaseCommand):
    help = "Compute KOL scores and store a snapshot (replaces today's snapshot of the same window and category)."

    def add_arguments(self, parser):
        parser.add_argument("--window", type=int, default=None, help="Window in days (default KOL['WINDOW_DAYS']).")
        parser.add_argument("--category", default="", help="A category slug (default: all categories).")
        parser.add_argument("--day", default="", help="The last day of the window, YYYY-MM-DD (default: today).")
        parser.add_argument("--all", action="store_true", help="Every configured period and category.")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        day = None
        if options["day"]:
            try:
                day = datetime.date.fromisoformat(options["day"])
            except ValueError:
                raise CommandError("--day must be a date like 2026-03-01.") from None
        category = None
        if options["category"]:
            category = Category.objects.filter(slug=options["category"]).first()
            if category is None:
                raise CommandError(f"No category with the slug {options['category']!r}.")
        progress = None if options["no_progress"] else Progress(sys.stderr)
        try:
            if options["all"]:
                runs = services.kol_scores_compute_all(day=day, progress=progress)
            else:
                runs = [services.kol_scores_compute(day=day, window_days=options["window"], category=category,
                                                    progress=progress)]
        except ForumError as error:
            raise CommandError(str(error.message)) from None
        for run in runs:
            top = list(run.scores.select_related("member").order_by("rank")[:5])
            names = ", ".join(f"{s.member.username} {s.score:.1f}" for s in top) or "nobody"
            self.stdout.write(f"{run}: {run.seconds:.1f} s, {run.members_scored} members with a score, "
                              f"seeds {run.seed_mode} ({run.seed_count}); top: {names}")

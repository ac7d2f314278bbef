"""Rebuild the search index from the database, with a progress bar.

    manage.py search_reindex                     # the configured backend (SEARCH_BACKEND)
    manage.py search_reindex --backend elasticsearch --chunk-size 1000
    manage.py search_reindex --workers 2          # segment in 2 processes (database backend, PostgreSQL)

The database backend rebuilds in one transaction (readers see the old index until it commits);
Elasticsearch loads a new index and swaps the alias (zero downtime)."""

import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from search import registry, services
from search.backends.base import BACKENDS, reset_backend

BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Rebuild the search index from the database, with a progress bar."

    def add_arguments(self, parser):
        parser.add_argument("--backend", choices=sorted(BACKENDS), help="Default: the SEARCH_BACKEND setting.")
        parser.add_argument("--chunk-size", type=int, default=None, help="Objects read and indexed per batch.")
        parser.add_argument("--no-progress", action="store_true", help="Only print the summary.")
        parser.add_argument("--workers", type=int, default=1,
                            help="Processes that read, render and segment documents (database backend on "
                                 "PostgreSQL; default 1: in this process).")

    def handle(self, *args, backend=None, chunk_size=None, no_progress=False, workers=1, **options):
        if chunk_size is not None and not 1 <= chunk_size <= 50000:
            raise CommandError("--chunk-size must be between 1 and 50000.")
        if not 1 <= workers <= 32:
            raise CommandError("--workers must be between 1 and 32.")
        name = backend or settings.SEARCH_BACKEND
        kinds = ", ".join(d.object_type for d in registry.definitions())
        self.stdout.write(f"Rebuilding the {name} search index ({kinds})…")
        started = time.monotonic()
        tty = hasattr(self.stdout, "isatty") and self.stdout.isatty()
        state = {"last_pct": -1}

        def progress(done, total):
            if no_progress:
                return
            pct = int(done * 100 / total) if total else 100
            elapsed = max(time.monotonic() - started, 1e-6)
            filled = int(BAR_WIDTH * pct / 100)
            line = (f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {pct:3d}% {done}/{total} "
                    f"{done / elapsed:,.0f}/s")
            if tty:
                self.stdout.write("\r" + line, ending="")
                self.stdout.flush()
            elif pct // 10 != state["last_pct"] // 10 or done == total:
                self.stdout.write(line)
            state["last_pct"] = pct

        try:
            count = services.rebuild(progress=progress, chunk_size=chunk_size, backend=backend, workers=workers)
        except Exception as exc:  # report what failed, keep the traceback with --traceback
            if tty:
                self.stdout.write("")
            raise CommandError(f"Reindexing failed: {exc}") from exc
        finally:
            reset_backend()  # the next request reconnects with the configured backend
        if tty and not no_progress:
            self.stdout.write("")
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} documents in {elapsed:.1f}s."))
        sys.stdout.flush()

"""manage.py mail_digest: mail the editors' latest published weekly digest (plus the week's top topics
each member may read) to every member who has not turned it off, with a progress bar and a report.
Run it again after a crash: each member's send record is claimed before their mail goes out, so
nobody gets the digest twice (the one mail in flight at the crash is counted "skipped"). A mail the
server refused is recorded as failed; --retry-failed sends those again."""

import sys

from django.core.mail import get_connection
from django.core.management.base import BaseCommand, CommandError

from cms.selectors import latest_digest
from mailings import conf, services


def _chunks(iterable, size):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class Command(BaseCommand):
    help = "Mail the latest published weekly digest to the members who want it (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument("--retry-failed", action="store_true",
                            help="send again to the members whose earlier send the mail server refused")

    def handle(self, *args, **options):
        digest = latest_digest()
        if digest is None:
            raise CommandError("No published digest.")
        members = services.digest_recipients()
        total = members.count()
        report = {"sent": 0, "skipped": 0, "failed": 0}
        batch = conf.batch_size()
        candidates = services.digest_candidates(digest)
        done = 0
        for chunk in _chunks(members.iterator(chunk_size=max(batch, 100)), batch):
            connection = get_connection()  # one SMTP connection per batch, opened here: send_messages on a
            try:  # connection it did not open keeps it open, instead of a connect and QUIT per mail
                try:
                    connection.open()
                except OSError as exc:  # nobody of this batch is claimed yet: run the command again later
                    raise CommandError(f"The mail server refused the connection ({exc}); sent {report['sent']} "
                                       "so far, run the command again to go on.") from exc
                for outcome, n in services.digest_send_batch(digest=digest, members=chunk, candidates=candidates,
                                                              connection=connection,
                                                              retry_failed=options["retry_failed"]).items():
                    report[outcome] += n
            finally:
                connection.close()
            done += len(chunk)
            if not options["no_progress"]:
                width = 30
                filled = width * done // max(total, 1)
                sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if not options["no_progress"]:
            sys.stderr.write("\n")
        self.stdout.write(f"digest {digest.title}: sent {report['sent']}, skipped {report['skipped']}, "
                          f"failed {report['failed']} (of {total})")
        if report["failed"]:
            self.stdout.write("run it again with --retry-failed to send the failed ones again")
        return None

"""manage.py mail_digest: mail the editors' latest published weekly digest (plus the week's top topics
each member may read) to every member who has not turned it off, with a progress bar and a report.
Run it again after a crash: each member's send record is claimed before their mail goes out, so
nobody gets the digest twice (the one mail in flight at the crash is counted "skipped")."""

import sys

from django.core.mail import get_connection
from django.core.management.base import BaseCommand, CommandError

from cms.selectors import latest_digest
from mailings import conf, services


class Command(BaseCommand):
    help = "Mail the latest published weekly digest to the members who want it (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        digest = latest_digest()
        if digest is None:
            raise CommandError("No published digest.")
        members = services.digest_recipients()
        total = members.count()
        report = {"sent": 0, "skipped": 0, "failed": 0}
        batch = conf.batch_size()
        connection = get_connection()
        try:
            for done, member in enumerate(members.iterator(chunk_size=500), start=1):
                report[services.digest_send_one(digest=digest, member=member, connection=connection)] += 1
                if done % batch == 0:  # a fresh SMTP connection per batch
                    connection.close()
                    connection = get_connection()
                if not options["no_progress"]:
                    width = 30
                    filled = width * done // max(total, 1)
                    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        finally:
            connection.close()
        if not options["no_progress"]:
            sys.stderr.write("\n")
        self.stdout.write(f"digest {digest.title}: sent {report['sent']}, skipped {report['skipped']}, "
                          f"failed {report['failed']} (of {total})")
        return None

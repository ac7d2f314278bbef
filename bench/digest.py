#!/usr/bin/env python
"""Weekly digest by email: mails per second into a local SMTP server (aiosmtpd on loopback, started
here, counting what it receives) and peak memory of the sending process, on a PostgreSQL database of
its own (created with all migrations at the start, dropped at the end).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/huoli_bench_digest .venv/bin/python bench/digest.py
    options: --members 100000 (the target size; try --members 2000 first) --topics 50

Runs the real `manage.py mail_digest` path (services.digest_send_batch per batch of members: the
week's top topics read once per run, languages and groups once per batch; per member, claim the send
record, render both parts in the member's language, send over the batch's SMTP connection). The SMTP
server runs in a process of its own. Prints members, mails received, seconds, mails/s and the
sender's peak RSS (ru_maxrss of this process; the server is a child process, not counted).
"""

import argparse
import io
import os
import resource
import socket
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/huoli_bench_digest")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402


class Counter:
    def __init__(self, count):
        self.count = count

    async def handle_DATA(self, server, session, envelope):
        with self.count.get_lock():
            self.count.value += 1
        return "250 OK"


def _smtp_server(port, count, stop):
    """The SMTP server in a process of its own, so that its work does not share the sender's GIL."""
    from aiosmtpd.controller import Controller

    controller = Controller(Counter(count), hostname="127.0.0.1", port=port)
    controller.start()
    stop.wait()
    controller.stop()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(args):
    import multiprocessing

    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone

    from cms.models import DigestPage
    from cms.services import sections_ensure
    from forum import services as forum
    from forum.models import Category, User

    port = _free_port()
    spawn = multiprocessing.get_context("spawn")
    received, stop = spawn.Value("l", 0), spawn.Event()
    server = spawn.Process(target=_smtp_server, args=(port, received, stop), daemon=True)
    server.start()
    for _attempt in range(200):  # until it listens
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS, settings.EMAIL_USE_SSL = "127.0.0.1", port, False, False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        print(f"creating {args.members} members and {args.topics} topics ...", flush=True)
        password = make_password(None)
        User.objects.bulk_create([User(username=f"d{i}", email=f"d{i}@bench.invalid", password=password)
                                  for i in range(args.members)], batch_size=5000)
        category = Category.objects.create(name="基准", slug="bench")
        author = User.objects.get(username="d0")
        User.objects.filter(pk=author.pk).update(is_staff=True)  # no level or rate limits for the seeding author
        author.refresh_from_db()
        for i in range(args.topics):
            forum.topic_create(actor=author, category=category, title=f"本周话题 {i} 的标题", body="正文")
        _home, _collections, digests = sections_ensure()
        week = timezone.localdate() - timezone.timedelta(days=timezone.localdate().weekday())
        page = DigestPage(title="基准周报", slug="bench", week_start=week, intro="基准测试")
        digests.add_child(instance=page)
        page.save_revision().publish()
        start = time.perf_counter()
        out = io.StringIO()
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(call_command, "mail_digest", "--no-progress", stdout=out)
        else:
            call_command("mail_digest", "--no-progress", stdout=out)
        seconds = time.perf_counter() - start
        time.sleep(0.5)  # the server's last handler
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(out.getvalue().strip())
        count = received.value
        print(f"members {args.members}  mails received {count}  {seconds:.1f} s  "
              f"{count / seconds:.0f} mails/s  peak RSS of the sender {peak_mb:.0f} MB")
        if args.profile:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
    finally:
        stop.set()
        server.join(10)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--topics", type=int, default=50)
    parser.add_argument("--profile", action="store_true", help="cProfile the send and print the top functions")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/digest.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    old_name = connection.settings_dict["NAME"]
    print("creating the benchmark database (migrations) ...", flush=True)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        print("benchmark database dropped")


if __name__ == "__main__":
    main()

"""The forum stands alone: its pages render, and members write, with engagement, cms, search and realtime
removed from INSTALLED_APPS (tests/forum_only). It runs in a process of its own, because the app registry of
this one holds every app; on SQLite, so it shares no database with the rest of the run."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_forum_renders_and_writes_with_the_other_apps_removed():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "PYTEST_XDIST_WORKER",
                                                            "PYTEST_ADDOPTS")}
    env["HUOLI_TESTING"] = "true"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/forum_only", "--ds=tests.forum_only.settings",
         "--confcutdir=tests/forum_only", "-p", "no:randomly", "-p", "no:xdist", "-q", "-W", "ignore"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    passed = re.search(r"(\d+) passed", output)
    assert passed and int(passed.group(1)) == 5, output[-2000:]
    assert not re.search(r"\d+ (failed|skipped|error)", output), output[-2000:]

"""Web workers load no numpy or scipy: those are for the KOL and lifecycle computations, which run in Celery
or a management command. A fresh interpreter loads the whole URL conf and the API (every view module) and
must not have imported them."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from django.urls import get_resolver
import config.api
patterns = get_resolver().url_patterns  # imports every app's urls and views
heavy = sorted(name for name in ("numpy", "scipy") if name in sys.modules)
print(",".join(heavy) or "none")
"""


def test_the_url_conf_imports_no_numpy_or_scipy():
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "none"


def test_the_scoring_code_still_has_them():
    probe = PROBE.replace("heavy = ", "import engagement.kol.scoring, engagement.lifecycle.classify\nheavy = ")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.stdout.strip().splitlines()[-1] == "numpy,scipy"

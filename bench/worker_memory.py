"""Resident memory of a fresh web worker once it has loaded what its first request loads: Django set up, the
whole URL conf (every app's views) and the API. Run: .venv/bin/python bench/worker_memory.py"""

import os
import resource
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()
from django.urls import get_resolver  # noqa: E402

import config.api  # noqa: E402, F401

get_resolver().url_patterns  # noqa: B018  (imports every urls and views module)
rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"peak RSS {rss_kib / 1024:.1f} MiB; numpy loaded: {'numpy' in sys.modules}; scipy loaded: {'scipy' in sys.modules}")

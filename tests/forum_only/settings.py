"""The site with the forum alone: engagement, cms (and Wagtail), search, realtime and messaging removed from INSTALLED_APPS
and from the URL conf. Used only by tests/forum_only (run by tests/test_forum_only.py in a process of its own)."""

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS, MIDDLEWARE

REMOVED = ("engagement", "cms", "search", "realtime", "messaging", "mailings", "wagtail", "modelcluster", "taggit")

INSTALLED_APPS = [app for app in INSTALLED_APPS if app.split(".")[0] not in REMOVED]
MIDDLEWARE = [m for m in MIDDLEWARE if m.split(".")[0] not in REMOVED]
ROOT_URLCONF = "tests.forum_only.urls"
HUOLI = {**HUOLI, "TITLE_SUGGEST_URL": ""}  # noqa: F405  config points the composer at search's suggestions

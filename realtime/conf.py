"""Tunables of the live layer. Each can be overridden in settings.HUOLI (key in brackets)."""

from django.conf import settings


def _get(key, default):
    return getattr(settings, "HUOLI", {}).get(key, default)


def events_kept():
    """[LIVE_EVENTS_KEPT] events kept per topic; a client further behind is told to reload."""
    return int(_get("LIVE_EVENTS_KEPT", 500))


def catchup_max():
    """[LIVE_CATCHUP_MAX] most events replayed on one reconnect; more than that -> reload."""
    return int(_get("LIVE_CATCHUP_MAX", 200))


def typing_interval():
    """[LIVE_TYPING_INTERVAL] seconds: one typing notice per member per topic at most this often."""
    return int(_get("LIVE_TYPING_INTERVAL", 2))


def presence_interval():
    """[LIVE_PRESENCE_INTERVAL] whole seconds: "N reading now" is broadcast at most this often per topic."""
    return max(1, int(_get("LIVE_PRESENCE_INTERVAL", 5)))

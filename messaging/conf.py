"""Tunables of private messages, from settings.HUOLI (key in brackets)."""

from django.conf import settings


def _get(key, default):
    return getattr(settings, "HUOLI", {}).get(key, default)


def max_participants():
    """[PM_MAX_PARTICIPANTS] most members in one conversation, the starter included."""
    return int(_get("PM_MAX_PARTICIPANTS", 8))


def min_level():
    """[PM_MIN_LEVEL] the level a member needs to start a conversation (staff and moderators need none)."""
    return int(_get("PM_MIN_LEVEL", 2))


def new_per_day():
    """[PM_NEW_PER_DAY] conversations one member may start per day."""
    return int(_get("PM_NEW_PER_DAY", 10))


def body_max_length():
    return int(_get("PM_BODY_MAX_LENGTH", 5000))


def report_context():
    """[PM_REPORT_CONTEXT] messages shown before and after a reported one."""
    return int(_get("PM_REPORT_CONTEXT", 3))

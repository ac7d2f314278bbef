"""Tunables of email notifications, from settings.HUOLI (key in brackets)."""

from django.conf import settings


def _get(key, default):
    return getattr(settings, "HUOLI", {}).get(key, default)


def immediate_delay():
    """[MAIL_IMMEDIATE_DELAY] seconds an "immediately" mail waits, so a member reading the site at the
    time gets no mail about what they have just seen."""
    return int(_get("MAIL_IMMEDIATE_DELAY", 120))


def batch_size():
    """[MAIL_BATCH_SIZE] mails sent over one SMTP connection by one run of the sending task."""
    return int(_get("MAIL_BATCH_SIZE", 200))


def summary_hour():
    """[MAIL_SUMMARY_HOUR] site-time hour at which daily and weekly (Monday) summaries go out."""
    return int(_get("MAIL_SUMMARY_HOUR", 8))

"""Shared by the moderation verbs: reasons, the audit entry, and small snapshots for before/after."""

from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import InvalidInput

REASON_MAX = 500


def clean_reason(reason, *, required=False):
    reason = " ".join(str(reason or "").split())
    if required and not reason:
        raise InvalidInput(_("Please give a reason."), field="reason", code="reason_required")
    if len(reason) > REASON_MAX:
        raise InvalidInput(_("The reason is too long (at most %(n)d characters).") % {"n": REASON_MAX},
                           field="reason")
    return reason


def _jsonable(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def snapshot(obj, fields):
    """{field: value} for the audit entry's before/after (datetimes as ISO text, relations as ids)."""
    return {name: _jsonable(getattr(obj, name)) for name in fields}


def record(*, actor, action, target, reason="", fallback="", subject=None, before=None, after=None,
           category=None, data=None):
    """Append the audit entry of a moderation action, in the action's transaction."""
    from audit.log import audit_record

    return audit_record(
        actor=actor, action=f"moderation.{action}", reason=reason or fallback or action, target=target,
        subject=subject, before=before, after=after, data=data,
        scope_id=category.pk if category is not None else None,
    )


def parse_until(value, *, field="until"):
    """An optional end date: None, an aware datetime, or ISO text; must be in the future."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        from django.utils.dateparse import parse_date, parse_datetime

        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            if day is not None:
                from datetime import datetime, time

                parsed = datetime.combine(day, time(23, 59))
        if parsed is None:
            raise InvalidInput(_("Enter a date such as 2030-01-31 or 2030-01-31 18:00."), field=field)
        value = parsed
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value <= timezone.now():
        raise InvalidInput(_("The end date must be in the future."), field=field)
    return value

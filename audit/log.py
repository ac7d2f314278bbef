"""Writing the audit log. Call inside the transaction of the action being recorded, so the entry
and the action commit (or roll back) together."""

from django.utils.translation import gettext as _

from .models import AuditLog

REASON_MAX = 500


class AuditReasonMissing(ValueError):
    pass


def clean_reason(reason):
    """A required, trimmed reason; raises AuditReasonMissing (a ValueError) when empty."""
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise AuditReasonMissing(_("A reason is required."))
    return reason[:REASON_MAX]


def audit_record(*, actor, action, reason, target=None, subject=None, data=None, before=None, after=None,
                 scope_id=None):
    """Append one entry. `target` is any model instance (stored as app_label.model + pk + str);
    `before`/`after` the changed fields' values (JSON-serialisable); `scope_id` the forum category."""
    target_type = target_id = target_repr = ""
    if target is not None:
        meta = target._meta
        target_type = f"{meta.app_label}.{meta.model_name}"
        target_id = str(target.pk)
        target_repr = str(target)[:200]
    return AuditLog.objects.create(
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        action=action,
        subject=subject,
        target_type=target_type,
        target_id=target_id,
        target_repr=target_repr,
        reason=clean_reason(reason),
        data=data or {},
        before=before or {},
        after=after or {},
        scope_id=scope_id,
    )

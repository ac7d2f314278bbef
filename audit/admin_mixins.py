"""Settings changes made by staff in the Django admin, recorded once, generically, in the audit log.

`AuditedAdminMixin` goes first in the bases of a ModelAdmin whose model is settings-like (points
rules and multipliers, levels, the check-in bonus table, badges, the bad-words list, categories,
members' permissions...). Every create, change (from the change form, the list's editable columns or
an inline) and delete, single or bulk, appends one AuditLog entry in the admin's own transaction:

- action `settings.create`, `settings.change` or `settings.delete`;
- who (the staff member), when, the object (type, id, text);
- before/after: the changed fields only (from the form's `changed_data` and `initial`), or every
  field of a deleted object. Relations are stored as ids, many-to-many as sorted id lists, dates as
  ISO text; fields named in `audit_exclude` (password hashes, secrets) are never stored.

This module imports no domain app, so any app's admin may use it."""

import datetime
import decimal
import uuid

from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from .log import audit_record

SECRET_FIELDS = ("password", "secret", "key_hash", "token")
VALUE_MAX = 2000


def plain(value):
    """A JSON-friendly copy of a form or model value."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value if len(value) <= VALUE_MAX else value[:VALUE_MAX] + "…"
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID | datetime.timedelta):
        return str(value)
    if isinstance(value, models.QuerySet | list | tuple | set | frozenset):
        return sorted((plain(v) for v in value), key=lambda v: (str(type(v)), str(v)))
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return str(value)


def _model_field_names(model):
    opts = model._meta
    return {f.name for f in opts.concrete_fields} | {f.name for f in opts.many_to_many}


def _hidden(name, exclude):
    return name in exclude or any(secret in name for secret in SECRET_FIELDS)


def form_diff(form, *, exclude=()):
    """(before, after) of the model fields the form changed; before is {} for a new object."""
    names = _model_field_names(form._meta.model)
    adding = form.instance._state.adding
    changed = [n for n in (form.fields if adding else form.changed_data) if n in names and not _hidden(n, exclude)]
    before = {} if adding else {n: plain(form.initial.get(n)) for n in changed}
    after = {n: plain(form.cleaned_data.get(n)) for n in changed}
    return before, after


SIMPLE = (bool, int, float, str, datetime.date, datetime.time, decimal.Decimal, uuid.UUID, datetime.timedelta,
          models.Model, FieldFile)


def _field_value(field, obj):
    value = field.value_from_object(obj)
    if value is None or isinstance(value, SIMPLE):
        return plain(value)
    return plain(field.value_to_string(obj))  # e.g. a StreamField: its stored JSON, not rendered HTML


def object_snapshot(obj, *, exclude=()):
    """Every concrete field of `obj` (what a delete removes)."""
    return {f.name: _field_value(f, obj) for f in obj._meta.concrete_fields
            if not _hidden(f.name, exclude) and not _hidden(f.attname, exclude)}


def snapshot_diff(before, after):
    """(before, after) restricted to the keys whose values differ."""
    keys = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def record_settings_change(*, actor, verb, obj, before=None, after=None, via="django-admin", scope_id=None,
                           data=None):
    """One `settings.<verb>` entry (verb: create, change, delete, publish, unpublish)."""
    label = obj._meta.verbose_name
    fields = ", ".join(sorted((after or before or {}).keys())) if verb == "change" else ""
    reasons = {
        "create": _("Created %(what)s in the admin.") % {"what": label},
        "change": _("Changed %(what)s in the admin: %(fields)s.") % {"what": label, "fields": fields},
        "delete": _("Deleted %(what)s in the admin.") % {"what": label},
        "publish": _("Published %(what)s in the admin.") % {"what": label},
        "unpublish": _("Unpublished %(what)s in the admin.") % {"what": label},
    }
    return audit_record(actor=actor, action=f"settings.{verb}", reason=reasons[verb], target=obj,
                        before=before, after=after, scope_id=scope_id, data={"via": via, **(data or {})})


class AuditedAdminMixin:
    """Put first in a ModelAdmin's bases: records creates, changes and deletes (see the module doc)."""

    audit_exclude = ()

    def audit_scope(self, obj):
        """The forum category id the change concerns (its moderators may read the entry), or None:
        by default the object's `category_id` (a category multiplier, say)."""
        scope = getattr(obj, "category_id", None)
        return scope if isinstance(scope, int) else None

    def _audit(self, request, verb, obj, before=None, after=None):
        record_settings_change(actor=request.user, verb=verb, obj=obj, before=before, after=after,
                               scope_id=self.audit_scope(obj))

    def save_model(self, request, obj, form, change):
        before, after = form_diff(form, exclude=self.audit_exclude)
        adding = obj._state.adding
        super().save_model(request, obj, form, change)
        if adding:
            self._audit(request, "create", obj, None, after)
        elif after:
            self._audit(request, "change", obj, before, after)

    def delete_model(self, request, obj):
        self._audit(request, "delete", obj, object_snapshot(obj, exclude=self.audit_exclude), None)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._audit(request, "delete", obj, object_snapshot(obj, exclude=self.audit_exclude), None)
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        """Inline rows (e.g. a rule's category multipliers) are recorded as their own objects."""
        created, exclude = [], getattr(self, "audit_exclude", ())
        for inline_form in formset.forms:
            if not hasattr(inline_form, "cleaned_data") or not inline_form.has_changed() and not (
                    formset.can_delete and formset._should_delete_form(inline_form)):
                continue
            instance = inline_form.instance
            if formset.can_delete and formset._should_delete_form(inline_form):
                if instance.pk is not None and not instance._state.adding:
                    self._audit(request, "delete", instance, object_snapshot(instance, exclude=exclude), None)
                continue
            before, after = form_diff(inline_form, exclude=exclude)
            if instance._state.adding:
                created.append((instance, after))
            elif after:
                self._audit(request, "change", instance, before, after)
        super().save_formset(request, form, formset, change)
        for instance, after in created:
            if instance.pk is not None:
                self._audit(request, "create", instance, None, after)

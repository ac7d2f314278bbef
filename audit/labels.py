"""What a person reads for an audit entry: the action as words ("Ban a member", not
`moderation.member_ban`), the object's type as its model's name, and before/after as a table of
field names and readable values, never a Python dict.

Each app registers the labels of the actions it writes (`register({...})` in its `hooks.py` or
`AppConfig.ready`), so this module imports no domain app; Wagtail's own actions (`wagtail.*`) are
labelled by Wagtail's log action registry. tests/test_write_entry_points.py checks that every staff
action leaves an entry whose action has a label."""

from django.apps import apps
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

_LABELS = {}


def register(labels):
    """{"app.verb": gettext_lazy("Label"), ...}"""
    _LABELS.update(labels)


def action_label(code):
    """The action's label, or None when nobody registered one."""
    if code in _LABELS:
        return str(_LABELS[code])
    if code.startswith("wagtail."):
        from wagtail.log_actions import registry

        registry.scan_for_actions()
        if code in registry.formatters:
            return str(registry.get_action_label(code))
    return None


def choices():
    """[(code, label)] of every labelled action, by label, for a filter."""
    return sorted(((code, str(label)) for code, label in _LABELS.items()), key=lambda c: c[1])


def action_text(code):
    """The label for a page or an export: the code itself only when no app labelled it."""
    return action_label(code) or code


def _model(target_type):
    try:
        return apps.get_model(target_type)
    except (LookupError, ValueError):
        return None


def target_type_label(target_type):
    model = _model(target_type) if target_type else None
    return str(model._meta.verbose_name) if model is not None else target_type


def _field_label(model, name):
    if model is not None:
        try:
            return str(model._meta.get_field(name).verbose_name)
        except Exception:  # noqa: BLE001 - not a model field (a derived value): show its name
            pass
    return name.replace("_", " ")


def value_text(value):
    if value is None or value == "":
        return "—"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, (list, tuple)):
        return ", ".join(value_text(v) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')}: {value_text(v)}" for k, v in value.items()) or "—"
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        from django.utils.dateparse import parse_datetime
        from django.utils.timezone import localtime

        parsed = parse_datetime(value)
        if parsed is not None:
            return date_format(localtime(parsed) if parsed.tzinfo else parsed, "Y-m-d H:i")
    return str(value)


def changes(entry):
    """[(field label, before, after)] for every field the entry's before or after names."""
    model = _model(entry.target_type) if entry.target_type else None
    names = list(entry.before or {}) + [k for k in (entry.after or {}) if k not in (entry.before or {})]
    return [(_field_label(model, name), value_text((entry.before or {}).get(name)),
             value_text((entry.after or {}).get(name))) for name in names]


register({
    "settings.create": gettext_lazy("Created in the admin"),
    "settings.change": gettext_lazy("Changed in the admin"),
    "settings.delete": gettext_lazy("Deleted in the admin"),
    "settings.publish": gettext_lazy("Published in the admin"),
    "settings.unpublish": gettext_lazy("Unpublished in the admin"),
})

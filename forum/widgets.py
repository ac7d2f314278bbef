"""The chooser widget and field for staff forms (topics, members, categories): a labelled search box whose
results (from forum.choosers' endpoint) appear in a listbox the keyboard can walk (arrow keys, Enter,
Escape); the chosen key goes in a hidden input named like the field. static/js/chooser.js does the
searching; without JavaScript the search box still works as a plain text field: a topic's number or link,
a member's username or a category's slug or name typed there is resolved on the server.

    topic = TopicChooserField(label=_("Topic"))            # cleaned: the topic's id (int) or None
    topics = TopicChooserField(multiple=True)              # cleaned: sorted list of ids
    member = MemberChooserField()                          # cleaned: a username
    category = CategoryChooserField()                      # cleaned: a slug
"""

import re

from django import forms
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

SEARCH_SUFFIX = "__search"
LABEL_SUFFIX = "__label"

PLACEHOLDERS = {
    "topics": gettext_lazy("Search by title, author or number"),
    "members": gettext_lazy("Search by username or name"),
    "categories": gettext_lazy("Search by name"),
}


def _keys(value):
    if value in (None, ""):
        return []
    if isinstance(value, (list, tuple, set)):
        items = value
    else:
        items = re.split(r"[,，\s]+", str(value))
    keys = []
    for item in items:
        item = str(getattr(item, "pk", item)).strip()
        if item and item not in keys:
            keys.append(item)
    return keys


class ChooserWidget(forms.Widget):
    template_name = "forum/widgets/chooser.html"

    def __init__(self, kind, *, multiple=False, attrs=None):
        super().__init__(attrs)
        self.kind = kind
        self.multiple = multiple

    def format_value(self, value):
        if isinstance(value, dict):  # a bound form drawn again: what value_from_datadict read
            return list(value.get("keys") or [])
        return _keys(value)

    def _render(self, template_name, context, renderer=None):
        # the project's template engine (templates/forum/widgets/), not the form renderer's own
        from django.template.loader import render_to_string
        from django.utils.safestring import mark_safe

        return mark_safe(render_to_string(template_name, context))  # noqa: S308 - an autoescaped template

    def get_context(self, name, value, attrs):
        from .choosers import KINDS

        typed = value.get("typed", "") if isinstance(value, dict) else ""
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        keys = widget["value"] or []
        request_user = getattr(self, "user", None)
        labels = KINDS[self.kind].labels(request_user, keys) if keys else {}
        chosen = [{"value": k, "label": labels.get(k, k)} for k in keys]
        widget_id = widget["attrs"].get("id") or f"id_{name}"
        widget.update({
            "kind": self.kind, "multiple": self.multiple, "chosen": chosen, "url": reverse("forum:chooser",
                                                                                         args=[self.kind]),
            "search_name": name + SEARCH_SUFFIX, "label_name": name + LABEL_SUFFIX, "id": widget_id,
            "listbox_id": f"{widget_id}-listbox", "status_id": f"{widget_id}-status",
            "placeholder": widget["attrs"].pop("placeholder", None) or PLACEHOLDERS.get(self.kind, ""),
            "search_value": typed if typed else ("" if self.multiple else (chosen[0]["label"] if chosen else "")),
            "label_value": "" if self.multiple or not chosen else chosen[0]["label"],
        })
        return context

    def id_for_label(self, id_):
        return id_

    def value_from_datadict(self, data, files, name):
        """The hidden key(s) the script filled in; else what was typed in the search box (no JavaScript, or a
        key typed by hand), which the field resolves."""
        if hasattr(data, "getlist"):
            hidden = [v for v in data.getlist(name) if v.strip()]
        else:
            hidden = _keys(data.get(name))
        typed = (data.get(name + SEARCH_SUFFIX) or "").strip()
        shown = (data.get(name + LABEL_SUFFIX) or "").strip()
        if self.multiple:
            return {"keys": _keys(hidden), "typed": typed}
        if typed and typed != shown:  # typed over the chosen one: the text wins
            return {"keys": [], "typed": typed}
        if not typed and shown:  # the box was cleared: nothing chosen
            return {"keys": [], "typed": ""}
        return {"keys": _keys(hidden)[:1], "typed": "" if hidden else typed}

    def value_omitted_from_data(self, data, files, name):
        return name not in data and name + SEARCH_SUFFIX not in data


class ChooserField(forms.Field):
    kind = None
    default_error_messages = {
        "unknown": gettext_lazy("Nothing matches “%(text)s”: type a few characters and pick from the list."),
        "missing": gettext_lazy("%(keys)s no longer exists."),
    }

    def __init__(self, *, multiple=False, user=None, **kwargs):
        self.multiple = multiple
        self.user = user
        kwargs.setdefault("widget", ChooserWidget(self.kind, multiple=multiple))
        super().__init__(**kwargs)
        self.widget.user = user

    def bind_user(self, user):
        """Results and labels as `user` may see them (the form's __init__ calls this)."""
        self.user = user
        self.widget.user = user

    def _resolve_typed(self, typed):
        from .choosers import KINDS

        spec = KINDS[self.kind]
        if self.multiple:
            keys = []
            for part in re.split(r"[,，]+", typed):
                part = part.strip()
                if not part:
                    continue
                key = spec.resolve(self.user, part)
                if key is None:
                    raise forms.ValidationError(self.error_messages["unknown"], code="unknown", params={"text": part})
                keys.append(str(key))
            return keys
        key = spec.resolve(self.user, typed)
        if key is None:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown", params={"text": typed})
        return [str(key)]

    def to_python(self, value):
        if isinstance(value, dict):
            keys = list(value.get("keys") or [])
            typed = value.get("typed") or ""
        else:
            keys, typed = _keys(value), ""
        if typed:
            keys += [k for k in self._resolve_typed(typed) if k not in keys]
        keys = self.convert(keys)
        if self.multiple:
            return keys
        return keys[0] if keys else None

    def convert(self, keys):
        return keys

    def validate(self, value):
        if self.required and value in (None, "", []):
            raise forms.ValidationError(self.error_messages["required"], code="required")

    def prepare_value(self, value):
        return value


class TopicChooserField(ChooserField):
    kind = "topics"

    def convert(self, keys):
        from .models import Topic

        bad = [k for k in keys if not k.isdigit()]
        if bad:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown", params={"text": bad[0]})
        ids = sorted({int(k) for k in keys})
        found = set(Topic.objects.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
        missing = [str(i) for i in ids if i not in found]
        if missing:
            raise forms.ValidationError(self.error_messages["missing"], code="missing",
                                        params={"keys": _("Topic %(n)s") % {"n": ", ".join(missing)}})
        return ids


class MemberChooserField(ChooserField):
    kind = "members"

    def convert(self, keys):
        from .models import User

        found = set(User.objects.filter(username__in=keys).values_list("username", flat=True)) if keys else set()
        missing = [k for k in keys if k not in found]
        if missing:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown", params={"text": missing[0]})
        return keys


class CategoryChooserField(ChooserField):
    kind = "categories"

    def convert(self, keys):
        from .models import Category

        found = set(Category.objects.filter(slug__in=keys).values_list("slug", flat=True)) if keys else set()
        missing = [k for k in keys if k not in found]
        if missing:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown", params={"text": missing[0]})
        return keys

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from forum.models import Category

from .rollup import today

DEFAULT_DAYS = 30
MAX_DAYS = 366


class RangeForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.order_by("position", "id"),
                                      to_field_name="slug", required=False, empty_label=_("All categories"))

    def clean(self):
        data = super().clean()
        end = data.get("end") or today()
        start = data.get("start") or end - datetime.timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            raise forms.ValidationError(_("The start date must be on or before the end date."), code="order")
        if (end - start).days + 1 > MAX_DAYS:
            raise forms.ValidationError(_("Choose a range of at most %(days)d days.") % {"days": MAX_DAYS},
                                        code="too_long")
        data["start"], data["end"] = start, end
        return data


def default_range():
    end = today()
    return end - datetime.timedelta(days=DEFAULT_DAYS - 1), end

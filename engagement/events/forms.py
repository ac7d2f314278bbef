from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from engagement.points.labels import reason_label
from engagement.points.models import PointsRule
from engagement.polls.forms import DateTimeInput
from forum.models import Category
from forum.widgets import TopicChooserField

from .services import MAX_MULTIPLIERS

MULTIPLIER_PREFIX = "multipliers"
MAX_FACTOR, CENT = Decimal("10"), Decimal("0.01")


def _rule_choices():
    """The earning rules by their translated labels, read each time the form is drawn (a rule added in the
    admin shows at once, in the reader's language)."""
    names = dict(PointsRule.objects.values_list("code", "name"))
    return [("", _("Every rule"))] + sorted(((code, reason_label(code, names)) for code in names),
                                            key=lambda choice: choice[1])


class MultiplierForm(forms.Form):
    """One row of an event's point multipliers: which points, where, and by how much."""

    rule = forms.ChoiceField(label=_("Points for"), required=False, choices=_rule_choices,
                             error_messages={"invalid_choice": _("Choose a points rule from the list.")})
    category = forms.ModelChoiceField(label=_("In category"), required=False, empty_label=_("All categories"),
                                      queryset=Category.objects.order_by("position", "id"),
                                      error_messages={"invalid_choice": _("Choose a category from the list.")})
    factor = forms.DecimalField(
        label=_("Multiplier"), required=False, help_text=_("2 doubles the points, 1.5 adds half; at most 10."),
        error_messages={"invalid": _("A multiplier must be a number such as 2 or 1.5.")},
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "max": "10", "inputmode": "decimal"}))

    def clean_factor(self):
        """One message for every factor out of range (the service's own rule: above 0, at most 10, two decimals)."""
        factor = self.cleaned_data["factor"]
        if factor is not None and (not Decimal("0") < factor <= MAX_FACTOR or factor != factor.quantize(CENT)):
            raise forms.ValidationError(_("A multiplier must be above 0 and at most 10, with at most two decimals."))
        return factor

    def clean(self):
        data = super().clean()
        if data.get("factor") is None and "factor" not in self.errors and (data.get("rule") or data.get("category")):
            self.add_error("factor", _("Give the multiplier for this row, e.g. 2 for double points."))
        return data


class BaseMultiplierFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            row = form.cleaned_data
            if row.get("factor") is None:
                continue
            key = (row.get("rule") or "", row["category"].pk if row.get("category") else None)
            if key in seen:
                raise forms.ValidationError(_("Two rows have the same rule and category: keep one."))
            seen.add(key)

    def add_service_error(self, message):
        """An error the service found in the rows as a whole: shown above them."""
        self.non_form_errors()  # validates first, so a later full_clean cannot drop it
        self._non_form_errors.append(message)


MultiplierFormSet = forms.formset_factory(MultiplierForm, formset=BaseMultiplierFormSet, extra=2,
                                          max_num=MAX_MULTIPLIERS, absolute_max=MAX_MULTIPLIERS, validate_max=True)


class EventForm(forms.Form):
    title = forms.CharField(label=_("Title"), required=False, max_length=120,
                            widget=forms.TextInput(attrs={"required": True, "maxlength": 120}))
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 6}), help_text=_("Markdown."))
    cover = forms.ImageField(label=_("Cover image"), required=False)
    starts_at = forms.DateTimeField(label=_("Starts at"), required=False, widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends at"), required=False, widget=DateTimeInput())
    categories = forms.ModelMultipleChoiceField(label=_("Categories"), required=False,
                                                queryset=Category.objects.all(),
                                                widget=forms.CheckboxSelectMultiple)
    topics = TopicChooserField(label=_("Topics"), required=False, multiple=True,
                               help_text=_("The topics it runs in: search by title and choose each one."))

    def __init__(self, data=None, files=None, *, multipliers=(), **kwargs):
        """`multipliers`: the event's present rows [(rule_code or None, category or None, factor)], shown in
        the rows of the multiplier form with two empty rows under them."""
        super().__init__(data, files, **kwargs)
        # a post without the rows' management form (a script, an old page) leaves the multipliers as they are
        self.multipliers_sent = data is not None and f"{MULTIPLIER_PREFIX}-TOTAL_FORMS" in data
        initial = [{"rule": code or "", "category": category, "factor": factor}
                   for code, category, factor in multipliers]
        self.multiplier_rows = MultiplierFormSet(data if self.multipliers_sent else None, prefix=MULTIPLIER_PREFIX,
                                                 initial=initial or None)

    def is_valid(self):
        valid = super().is_valid()
        return (self.multiplier_rows.is_valid() if self.multipliers_sent else True) and valid

    def multipliers(self):
        """The rows as the service takes them, or None when the page sent no rows (keep the present ones)."""
        if not self.multipliers_sent:
            return None
        return [(row["rule"] or None, row["category"], row["factor"])
                for row in self.multiplier_rows.cleaned_data if row.get("factor") is not None]


class EventEditForm(EventForm):
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=500,
                             widget=forms.TextInput(attrs={"required": True}))

from django import forms
from django.utils.translation import gettext_lazy as _

from engagement.points.models import PointsRule
from engagement.polls.forms import DateTimeInput
from forum.models import Category


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
    topics = forms.CharField(label=_("Topic numbers"), required=False,
                             help_text=_("Numbers of the topics it runs in, separated by commas."))
    multipliers = forms.CharField(
        label=_("Point multipliers"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: multiplier, then optionally a rule code and a category slug, e.g. "
                    "“2 reply_created qa” (double points for replies in qa) or “1.5” (every rule, everywhere)."))

    def clean_topics(self):
        raw = self.cleaned_data["topics"].replace("，", ",")
        try:
            return sorted({int(x) for x in raw.split(",") if x.strip()})
        except ValueError:
            raise forms.ValidationError(_("Topic numbers are whole numbers separated by commas."))

    def clean_multipliers(self):
        rows = []
        codes = set(PointsRule.objects.values_list("code", flat=True))
        for line in self.cleaned_data["multipliers"].splitlines():
            parts = line.split()
            if not parts:
                continue
            factor, rest = parts[0], parts[1:]
            rule = category = None
            for word in rest:
                if word in codes and rule is None:
                    rule = word
                else:
                    category = Category.objects.filter(slug=word).first()
                    if category is None:
                        raise forms.ValidationError(_("“%(word)s” is neither a rule code nor a category slug.")
                                                    % {"word": word})
            rows.append((rule, category, factor))
        return rows


class EventEditForm(EventForm):
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=500,
                             widget=forms.TextInput(attrs={"required": True}))

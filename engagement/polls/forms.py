"""Forms only parse and label; every rule is in engagement.polls.services (errors shown on the field
they name)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Poll


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class PollForm(forms.Form):
    question = forms.CharField(label=_("Question"), required=False, max_length=200,
                               widget=forms.TextInput(attrs={"required": True, "maxlength": 200}))
    options = forms.CharField(label=_("Options"), required=False, help_text=_("One per line, 2 to 20."),
                              widget=forms.Textarea(attrs={"rows": 5, "required": True}))
    max_choices = forms.IntegerField(label=_("Choices per voter"), required=False, initial=1,
                                     help_text=_("1 = single choice."))
    results_visibility = forms.ChoiceField(label=_("Show results"), choices=Poll.Results.choices,
                                           initial=Poll.Results.ALWAYS)
    is_anonymous = forms.BooleanField(label=_("Anonymous (voters are not shown)"), required=False)
    allow_change = forms.BooleanField(label=_("Voters may change their vote until the poll closes"), required=False)
    min_level = forms.IntegerField(label=_("Minimum level to vote"), required=False, initial=0, min_value=0,
                                   help_text=_("0 = every member."))
    closes_at = forms.DateTimeField(label=_("Closes at"), required=False, widget=DateTimeInput(),
                                    help_text=_("Empty: open until closed by hand."))

    def service_kwargs(self):
        d = self.cleaned_data
        return {"question": d["question"], "options": d["options"], "max_choices": d["max_choices"],
                "results_visibility": d["results_visibility"], "is_anonymous": d["is_anonymous"],
                "allow_change": d["allow_change"], "min_level": d["min_level"] or 0, "closes_at": d["closes_at"]}


class TopicPollForm(PollForm):
    """The optional poll of the new-topic form (prefix "poll"): the same fields, none required by the
    browser, since a topic is published without a poll when the question and options are empty."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "poll")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.pop("required", None)

    @property
    def wanted(self):
        """The member filled in a question or options: a poll is meant (and then must be valid)."""
        if not self.is_bound:
            return False
        return any(str(self.data.get(self.add_prefix(name)) or "").strip() for name in ("question", "options"))

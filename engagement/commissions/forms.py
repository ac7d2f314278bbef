from django import forms
from django.utils.translation import gettext_lazy as _

from forum.models import Category

from .rules import commission_rules


class InviteForm(forms.Form):
    writer = forms.CharField(label=_("Writer (username)"), max_length=150,
                             widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}))
    theme = forms.CharField(label=_("Theme"), max_length=120)
    brief = forms.CharField(label=_("Brief"), max_length=2000, required=False,
                            widget=forms.Textarea(attrs={"rows": 4}),
                            help_text=_("What you hope the piece covers, its length and its audience."))
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none(), required=False,
                                      empty_label=_("Any category"))
    reward = forms.IntegerField(label=_("Reward (points)"), min_value=1)
    due_at = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rules = commission_rules()
        self.fields["category"].queryset = Category.objects.all()
        self.fields["reward"].widget.attrs.update({"min": rules["MIN_REWARD"], "max": rules["MAX_REWARD"],
                                                   "inputmode": "numeric"})
        self.fields["reward"].help_text = _("Between %(lo)d and %(hi)d points, paid when you accept the piece.") % {
            "lo": rules["MIN_REWARD"], "hi": rules["MAX_REWARD"]}


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class SubmitForm(forms.Form):
    topic = forms.TypedChoiceField(label=_("Your topic"), coerce=int)
    note = forms.CharField(label=_("Note to the editor (optional)"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [(t.pk, t.title) for t in topics]


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason (the writer sees it)"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))

from django import forms
from django.utils.translation import gettext_lazy as _

from .rules import bounty_rules


class TopicBountyForm(forms.Form):
    bounty_amount = forms.IntegerField(
        label=_("Bounty (points)"), required=False, min_value=1,
        help_text=_("Optional. The points leave your balance now and go to the answer you accept."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rules = bounty_rules()
        field = self.fields["bounty_amount"]
        field.widget.attrs.update({"min": rules["MIN_AMOUNT"], "max": rules["MAX_AMOUNT"], "inputmode": "numeric"})

    @property
    def wanted(self):
        return bool(self.is_bound and str(self.data.get("bounty_amount", "")).strip())


class ResolveForm(forms.Form):
    post = forms.TypedChoiceField(label=_("Outcome"), coerce=int, required=False, empty_value=None)
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, answers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].choices = [("", _("Refund the asker")), *(
            (p.pk, _("Award to #%(n)d by %(name)s") % {"n": p.number, "name": p.author.username}) for p in answers)]

"""Forms of the moderation pages: they only parse; the rules live in the verbs."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..widgets import CategoryChooserField, MemberChooserField, TopicChooserField
from .models import MemberSanction, ModerationItem, Report

REASON_HELP = _("Shown in the audit log and, where it concerns them, to the member.")


class ReasonField(forms.CharField):
    def __init__(self, *, required=False, **kwargs):
        super().__init__(label=_("Reason"), max_length=500, required=required, help_text=REASON_HELP, **kwargs)


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("What is wrong?"), choices=Report.Reason.choices, widget=forms.RadioSelect)
    message = forms.CharField(label=_("Details (optional; required for “something else”)"), max_length=500,
                              required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(label=_("Decision"), choices=ModerationItem.Resolution.choices)
    action = forms.ChoiceField(label=_("Also"), required=False, initial="none", choices=[
        ("none", _("no further action")), ("hide", _("hide it")), ("delete", _("delete it"))])
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class SanctionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Sanction"), choices=MemberSanction.Kind.choices)
    until = forms.CharField(label=_("Until (empty: permanent)"), required=False,
                            help_text=_("A date such as 2030-01-31, or 2030-01-31 18:00."),
                            widget=forms.TextInput(attrs={"type": "datetime-local"}))
    reason = ReasonField(required=True)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note for the other moderators"), max_length=2000,
                           help_text=_("Never shown to the member. Notes cannot be edited: add another to correct one."),
                           widget=forms.Textarea(attrs={"rows": 3}))


class LiftForm(forms.Form):
    reason = ReasonField(required=True)


class TopicModerationForm(forms.Form):
    reason = ReasonField()
    scope = forms.ChoiceField(label=_("Pin where"), required=False, initial="category",
                              choices=[("category", _("in its category")), ("global", _("on every page"))])
    until = forms.CharField(label=_("Pinned until (empty: until unpinned)"), required=False,
                            widget=forms.TextInput(attrs={"type": "datetime-local"}))
    category = forms.CharField(label=_("Move to category"), required=False)
    target = TopicChooserField(label=_("Merge into topic"), required=False)
    title = forms.CharField(label=_("Title of the new topic"), required=False, max_length=200)
    posts = forms.CharField(label=_("Post numbers to split off (e.g. 3, 5-7)"), required=False)


class ModeratorEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    body = forms.CharField(label=_("Body"), widget=forms.Textarea(attrs={"rows": 12}))
    reason = ReasonField(required=True)


class AppointForm(forms.Form):
    username = MemberChooserField(label=_("Member"))
    category = CategoryChooserField(label=_("Category"))
    reason = ReasonField()


class ApplicationForm(forms.Form):
    category = forms.CharField(label=_("Category"), max_length=60)
    motivation = forms.CharField(label=_("Why do you want to moderate it, and how much time can you give?"),
                                 max_length=2000, widget=forms.Textarea(attrs={"rows": 6}))


class ReviewForm(forms.Form):
    note = forms.CharField(label=_("Note to the member"), max_length=500, required=False)


def parse_numbers(text):
    """'3, 5-7' -> [3, 5, 6, 7] (at most 500 numbers); ValueError on anything else."""
    numbers = []
    for part in str(text or "").replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            lo, hi = (int(x) for x in part.split("-", 1))
            if hi < lo or hi - lo > 500:
                raise ValueError(part)
            numbers.extend(range(lo, hi + 1))
        else:
            numbers.append(int(part))
        if len(numbers) > 500:
            raise ValueError(part)
    return numbers


class AuditFilterForm(forms.Form):
    """The audit log's filters: choosers for the people, the category and the topic; a list for the action and
    the object type (codes never typed)."""

    action = forms.CharField(required=False, max_length=60)
    actor = MemberChooserField(label=_("By"), required=False)
    subject = MemberChooserField(label=_("Member concerned"), required=False)
    category = CategoryChooserField(label=_("Category"), required=False)
    topic = TopicChooserField(label=_("Topic"), required=False)
    object = forms.CharField(required=False, max_length=60)
    since = forms.DateField(label=_("From"), required=False)
    until = forms.DateField(label=_("To"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("actor", "subject", "category", "topic"):
            self.fields[name].bind_user(user)

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MemberGroup


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    slug = forms.CharField(label=_("Address"), max_length=50, required=False,
                           help_text=_("The group's address: /groups/<address>/. Empty: from the name."))
    purpose = forms.CharField(label=_("Purpose"), max_length=300, required=False)
    rules = forms.CharField(label=_("Rules"), required=False, max_length=10000,
                            widget=forms.Textarea(attrs={"rows": 6}), help_text=_("Markdown."))
    visibility = forms.ChoiceField(label=_("Visibility"), choices=MemberGroup.Visibility.choices)
    admission = forms.ChoiceField(label=_("Admission"), choices=MemberGroup.Admission.choices)
    parent = forms.ChoiceField(label=_("Main group"), required=False,
                               help_text=_("Empty: this is a main group."))
    questions = forms.CharField(label=_("Application questions"), required=False,
                                widget=forms.Textarea(attrs={"rows": 3}), help_text=_("One question a line."))
    handbook_url = forms.CharField(label=_("Deputy handbook"), max_length=300, required=False,
                                   help_text=_("The handbook page a new deputy owner must read and acknowledge."))
    cover = forms.ImageField(label=_("Cover image"), required=False)

    def __init__(self, *args, parents=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", _("(none: a main group)"))] + [(str(g.pk), g.name) for g in parents]
        if editing:
            del self.fields["slug"]
            del self.fields["parent"]


class GroupTopicForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Body"), widget=forms.Textarea(attrs={"rows": 8}))

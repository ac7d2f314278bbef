"""HTML forms of the forum pages. They only parse and label the input: every rule (lengths, who may
post where, tags) lives in forum.services, whose ForumError is shown on the field it names through
`add_service_error`. Fields are therefore not `required` for Django, but carry the HTML attribute so
browsers help before the round trip."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from . import permissions


def add_service_error(form, error):
    """Show a forum.errors.ForumError on the field it names, or above the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


def _text(label, *, max_length=None, required=True, help_text="", **attrs):
    widget_attrs = dict(attrs)
    if required:
        widget_attrs["required"] = True
    if max_length:
        widget_attrs["maxlength"] = max_length
    return forms.CharField(label=label, required=False, strip=False, help_text=help_text,
                           widget=forms.TextInput(attrs=widget_attrs))


def _body(label=_("Message"), *, rows=8):
    return forms.CharField(
        label=label, required=False, strip=False,
        help_text=_("Markdown: **bold**, *italic*, `code`, > quote, [link](https://…), @name."),
        widget=forms.Textarea(attrs={"rows": rows, "required": True,
                                     "maxlength": settings.HUOLI["BODY_MAX_LENGTH"]}),
    )


class TopicForm(forms.Form):
    # an integer, not a ChoiceField: the service decides (and says) whether the member may post there
    category = forms.IntegerField(label=_("Category"), required=False, widget=forms.Select)
    title = _text(_("Title"), max_length=settings.HUOLI["TITLE_MAX_LENGTH"], autocomplete="off")
    body = _body()
    # "similar topics exist" while composing: config points this at a suggest endpoint (search/)
    if settings.HUOLI.get("TITLE_SUGGEST_URL"):
        title.widget.attrs.update({"data-suggest-url": settings.HUOLI["TITLE_SUGGEST_URL"], "data-suggest-min": "4",
                                   "data-suggest-label": _("Similar topics already exist:")})
    tags = _text(_("Tags"), required=False, max_length=200, autocomplete="off",
                 help_text=_("Up to 5, separated by commas."))

    def __init__(self, *args, user, categories, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Choose a category"))]
        choices += [(c.pk, c.name) for c in categories if permissions.can_post_in_category(user, c)]
        self.fields["category"].widget.choices = choices
        self.fields["category"].widget.attrs["required"] = True
        self.postable_count = len(choices) - 1


class ReplyForm(forms.Form):
    body = _body(_("Your reply"), rows=6)
    body.widget.attrs["data-live-reply"] = ""
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)


class PostEditForm(forms.Form):
    title = _text(_("Title"), max_length=settings.HUOLI["TITLE_MAX_LENGTH"], autocomplete="off")
    body = _body()
    reason = _text(_("Reason for the edit"), required=False, max_length=200, autocomplete="off",
                   help_text=_("Optional; shown in the edit history."))

    def __init__(self, *args, with_title, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_title:
            del self.fields["title"]


class ProfileForm(forms.Form):
    display_name = _text(_("Display name"), required=False, max_length=40, autocomplete="nickname",
                         help_text=_("Shown instead of your username. Leave empty to use your username."))
    bio = forms.CharField(label=_("About you"), required=False,
                          widget=forms.Textarea(attrs={"rows": 4, "maxlength": 500}),
                          help_text=_("At most 500 characters."))
    avatar = forms.FileField(label=_("Avatar"), required=False,
                             widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
                             help_text=_("PNG, JPEG, GIF or WebP, at most 2 MB; cropped to a square."))
    remove_avatar = forms.BooleanField(label=_("Remove my avatar and use the generated one"), required=False)

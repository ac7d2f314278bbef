"""The search form: the one place where query-string input becomes SearchParams, for the page
and the API alike. Every bad value gets a message a person can act on."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from forum import permissions
from forum.models import Category

from .documents import MAX_PAGE, MAX_PER_PAGE, SORTS, SearchParams
from .text import MAX_QUERY_CHARS, clean_query

SORT_CHOICES = [("relevance", _("Best match")), ("newest", _("Newest")), ("votes", _("Most votes"))]
assert [key for key, _label in SORT_CHOICES] == list(SORTS)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search for"), required=False, max_length=MAX_QUERY_CHARS, strip=True,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
                        error_messages={"max_length": _("The search is too long (at most %(limit_value)d "
                                                        "characters).")})
    category = forms.CharField(label=_("Category"), required=False, widget=forms.Select)
    tag = forms.SlugField(label=_("Tag"), required=False, allow_unicode=True, max_length=40,
                          error_messages={"invalid": _("A tag has letters, digits and hyphens only.")})
    author = forms.CharField(label=_("Author (username)"), required=False, max_length=150)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                error_messages={"invalid": _("Enter a date such as 2025-01-31.")})
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                              error_messages={"invalid": _("Enter a date such as 2025-01-31.")})
    featured = forms.BooleanField(label=_("Featured only"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)
    hidden = forms.BooleanField(label=_("Include hidden and deleted posts"), required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE, widget=forms.HiddenInput,
                              error_messages={"max_value": _("Results stop at page %(limit_value)d: narrow the "
                                                              "search instead.")})
    per_page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PER_PAGE, widget=forms.HiddenInput)
    any = forms.BooleanField(required=False, widget=forms.HiddenInput)  # match any word instead of all

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        self.categories = [c for c in Category.objects.order_by("position", "id")
                           if permissions.can_read_category(user, c)]
        self.fields["category"].widget.choices = [("", _("All categories"))] + [
            (c.slug, c.name) for c in self.categories
        ]
        if not permissions.is_moderator(user):
            del self.fields["hidden"]
        # titles suggested while typing (search/static/search/search-suggest.js)
        self.fields["q"].widget.attrs["data-suggest-url"] = reverse("search:suggest")

    def clean_q(self):
        return clean_query(self.cleaned_data.get("q", ""))

    def clean_category(self):
        slug = self.cleaned_data.get("category") or ""
        if not slug:
            return None
        for category in self.categories:
            if category.slug == slug:
                return category
        # a private category the reader may not see is as unknown as one that does not exist
        raise forms.ValidationError(_("There is no such category."))

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    @property
    def is_search(self):
        """Did the reader ask anything (words or a filter)?"""
        return self.is_bound and any(self.data.get(name) for name in
                                     ("q", "category", "tag", "author", "date_from", "date_to", "featured"))

    def params(self, *, facets=False, match_any=None):
        data = self.cleaned_data
        if match_any is None:
            match_any = bool(data.get("any"))
        category = data.get("category")
        return SearchParams(
            q=data.get("q") or "", category_id=category.pk if category else None, tag=data.get("tag") or "",
            author=(data.get("author") or "").strip(), date_from=data.get("date_from"), date_to=data.get("date_to"),
            featured=bool(data.get("featured")), sort=data.get("sort") or "relevance", page=data.get("page") or 1,
            per_page=data.get("per_page") or 20, facets=facets, match_any=match_any,
        )

    @property
    def include_hidden(self):
        return bool(self.cleaned_data.get("hidden"))

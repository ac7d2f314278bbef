"""Searchable Wagtail choosers for forum topics, forum posts and polls (registered in
cms/wagtail_hooks.py), and the StreamField blocks built from them.

The choosers list only what may go into a public page: visible topics and posts in categories
everyone may read, and polls in readable topics (or attached to no topic). A search box filters by
title, body or author (case-insensitive substring: works for Chinese, which word search does not)."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView, ChosenView
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.widgets import BaseChooser
from wagtail.blocks import ChooserBlock

EXCERPT_CHARS = 80


def post_display_title(post):
    excerpt = " ".join(post.source.split())[:EXCERPT_CHARS]
    return f"{post.topic.title} #{post.number} · {post.author.name}: {excerpt}"


class SearchForm(BaseFilterForm):
    """A search box for the chooser; `search_fields` are the lookups an `icontains` runs on."""

    search_fields: tuple = ()

    q = forms.CharField(label=_("Search term"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Search")}))

    def filter(self, objects):
        objects = super().filter(objects)
        query = " ".join((self.cleaned_data.get("q") or "").split())
        if query:
            cond = Q()
            for field in self.search_fields:
                cond |= Q(**{f"{field}__icontains": query})
            objects = objects.filter(cond)
            self.is_searching = True
            self.search_query = query
        return objects


class TopicSearchForm(SearchForm):
    search_fields = ("title", "author__username", "author__display_name", "tags__name")

    def filter(self, objects):
        return super().filter(objects).distinct()


class PostSearchForm(SearchForm):
    search_fields = ("source", "topic__title", "author__username", "author__display_name")


class PollSearchForm(SearchForm):
    search_fields = ("question", "topic__title")


def _public_topics_q(prefix=""):
    return Q(**{f"{prefix}is_hidden": False, f"{prefix}category__read_group__isnull": True})


class ColumnsMixin:
    """The listing of a chooser: its search form, and the title column followed by `extra_columns`
    (given by the viewset, see ForumChooserViewSet.construct_view)."""

    extra_columns = ()
    title_accessor = None

    @property
    def columns(self):
        title = self.title_column
        if self.title_accessor is not None:
            title.accessor = self.title_accessor
        return [title, *self.extra_columns]


class ForumChooseView(ColumnsMixin, ChooseView):
    pass


class ForumChooseResultsView(ColumnsMixin, ChooseResultsView):
    pass


class ForumChooserViewSet(ChooserViewSet):
    """A chooser over forum rows: a searchable, paginated listing with the columns a subclass names,
    used only by our blocks (forum admin forms keep their own widgets)."""

    choose_view_class = ForumChooseView
    choose_results_view_class = ForumChooseResultsView
    register_widget = False
    per_page = 15
    filter_form_class = SearchForm
    extra_columns = ()
    title_accessor = None

    def construct_view(self, view_class, **kwargs):
        if issubclass(view_class, ColumnsMixin):
            kwargs.update(filter_form_class=self.filter_form_class, extra_columns=self.extra_columns,
                          title_accessor=self.title_accessor)
        return super().construct_view(view_class, **kwargs)


class TopicChooserViewSet(ForumChooserViewSet):
    model = "forum.Topic"
    icon = "doc-full"
    choose_one_text = _("Choose a topic")
    choose_another_text = _("Choose another topic")
    edit_item_text = _("Edit topic")
    filter_form_class = TopicSearchForm
    extra_columns = (
        Column("category", label=_("Category"), accessor="category"),
        Column("author", label=_("Author"), accessor="author"),
        Column("reply_count", label=_("Replies"), accessor="reply_count"),
        DateColumn("created_at", label=_("Created"), accessor="created_at"),
    )

    def get_object_list(self):
        from forum.models import Topic

        return (Topic.objects.filter(_public_topics_q()).select_related("category", "author")
                .order_by("-created_at", "-id"))


class PostChooserWidget(BaseChooser):
    def get_display_title(self, instance):
        return post_display_title(instance)


class PostChosenView(ChosenView):
    def get_display_title(self, instance):
        return post_display_title(instance)


class PostChooserViewSet(ForumChooserViewSet):
    model = "forum.Post"
    icon = "openquote"
    choose_one_text = _("Choose a post")
    choose_another_text = _("Choose another post")
    edit_item_text = _("Edit post")
    chosen_view_class = PostChosenView
    base_widget_class = PostChooserWidget
    filter_form_class = PostSearchForm
    title_accessor = staticmethod(post_display_title)
    extra_columns = (
        Column("number", label=_("Post #"), accessor="number"),
        DateColumn("created_at", label=_("Written"), accessor="created_at"),
    )

    def get_object_list(self):
        from forum.models import Post

        return (Post.objects.filter(_public_topics_q("topic__"), is_hidden=False, is_deleted=False)
                .select_related("topic", "author").order_by("-created_at", "-id"))


class PollChooserViewSet(ForumChooserViewSet):
    model = "polls.Poll"
    icon = "list-ul"
    choose_one_text = _("Choose a poll")
    choose_another_text = _("Choose another poll")
    edit_item_text = _("Edit poll")
    filter_form_class = PollSearchForm
    extra_columns = (
        Column("topic", label=_("Topic"), accessor="topic"),
        DateColumn("created_at", label=_("Created"), accessor="created_at"),
    )

    def get_object_list(self):
        from engagement.polls.models import Poll

        return (Poll.objects.filter(Q(topic__isnull=True) | _public_topics_q("topic__"))
                .select_related("topic").order_by("-created_at", "-id"))


topic_chooser_viewset = TopicChooserViewSet("topic_chooser", url_prefix="choose/topics")
post_chooser_viewset = PostChooserViewSet("post_chooser", url_prefix="choose/posts")
poll_chooser_viewset = PollChooserViewSet("poll_chooser", url_prefix="choose/polls")


# --- blocks: fetch a StreamField's chosen rows in one query per model, with their joins ---------------
class RelatedChooserBlock(ChooserBlock):
    related = ()

    def bulk_to_python(self, values):
        ids = [v for v in values if v is not None]
        qs = self.model_class.objects.select_related(*self.related)
        objects = {str(k): v for k, v in qs.in_bulk(ids).items()} if ids else {}
        return [objects.get(str(v)) if v is not None else None for v in values]

    def to_python(self, value):
        return self.bulk_to_python([value])[0] if value is not None else None


class TopicBlockBase(RelatedChooserBlock):
    related = ("category", "author")


class PostBlockBase(RelatedChooserBlock):
    related = ("topic__category", "author")


class PollBlockBase(RelatedChooserBlock):
    related = ("topic__category",)


def _block_class(viewset, base, name):
    viewset.base_block_class = base
    return viewset.get_block_class(name=name, module_path="cms.choosers")


TopicChooserBlock = _block_class(topic_chooser_viewset, TopicBlockBase, "TopicChooserBlock")
PostChooserBlock = _block_class(post_chooser_viewset, PostBlockBase, "PostChooserBlock")
PollChooserBlock = _block_class(poll_chooser_viewset, PollBlockBase, "PollChooserBlock")

"""Wagtail pages of the editorial side: the landing page, curated collections (精选合集), weekly
digests, event landing pages and standard pages (about, rules, help).

The forum stays the source of truth: pages hold references to topics, posts and polls (chosen
with the searchable choosers in cms/choosers.py) and decide at render time what the reader may see
(cms/blocks.py). Reads of the forum and engagement go through cms/selectors.py."""

from django.core.paginator import Paginator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from . import blocks, selectors
from .choosers import topic_chooser_viewset

INDEX_PER_PAGE = 12


class SocialMetaMixin(models.Model):
    """Open Graph / Twitter card data: the title and description come from Wagtail's promote tab
    (seo_title, search_description), the picture from `social_image` (or the page's own cover)."""

    social_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("social image"),
        help_text=_("Shown when the page is shared (Open Graph, Twitter cards). At least 1200×630 works best."),
    )

    promote_panels = Page.promote_panels + [FieldPanel("social_image")]

    class Meta:
        abstract = True

    def get_social_image(self):
        return self.social_image or getattr(self, "cover", None) or getattr(self, "hero_image", None)

    def get_social_description(self):
        return self.search_description or ""

    def get_social_type(self):
        return "article"


class HomePage(SocialMetaMixin, Page):
    """The landing page: an editor-controlled hero, picked topics, the latest collections and
    digest, running events and live community numbers."""

    intro = RichTextField(_("introduction"), blank=True)
    hero_title = models.CharField(_("hero title"), max_length=120, blank=True)
    hero_text = models.TextField(_("hero text"), max_length=500, blank=True)
    hero_image = models.ForeignKey("wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("hero image"))
    hero_link_text = models.CharField(_("hero button text"), max_length=60, blank=True)
    hero_link_url = models.CharField(_("hero button link"), max_length=300, blank=True,
                                     help_text=_("A path such as /latest/ or a full https:// address."))

    content_panels = Page.content_panels + [
        MultiFieldPanel([FieldPanel("hero_title"), FieldPanel("hero_text"), FieldPanel("hero_image"),
                         FieldPanel("hero_link_text"), FieldPanel("hero_link_url")], heading=_("Hero")),
        FieldPanel("intro"),
        InlinePanel("picked_topics", label=_("Picked topics"), max_num=12),
    ]
    subpage_types = ["cms.CollectionIndexPage", "cms.DigestIndexPage", "cms.EventPage", "cms.StandardPage"]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_social_type(self):
        return "website"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        user = request.user
        picks = self.picked_topics.select_related("topic__category", "topic__author")
        context["picked"] = [p for p in picks if blocks.topic_available(p.topic, user)]
        context["collections"] = selectors.latest_collections(limit=3)
        context["digest"] = selectors.latest_digest()
        context["events"] = selectors.running_events()
        context["numbers"] = selectors.community_numbers()
        context["featured"] = selectors.featured_topics(user=user, limit=5)
        context["task_card_url"] = selectors.task_card_url(user)
        return context


class HomePagePick(Orderable):
    page = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="picked_topics")
    topic = models.ForeignKey("forum.Topic", on_delete=models.CASCADE, related_name="+", verbose_name=_("topic"))
    note = models.CharField(_("editor's note"), max_length=200, blank=True)

    panels = [FieldPanel("topic", widget=topic_chooser_viewset.widget_class), FieldPanel("note")]

    class Meta(Orderable.Meta):
        verbose_name = _("picked topic")
        verbose_name_plural = _("picked topics")


class _IndexPage(SocialMetaMixin, Page):
    intro = RichTextField(_("introduction"), blank=True)
    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    max_count = 1

    class Meta:
        abstract = True

    def get_social_type(self):
        return "website"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        children = self.get_children().live().public().specific().order_by("-first_published_at", "-id")
        context["items"] = Paginator(children, INDEX_PER_PAGE).get_page(request.GET.get("page"))
        return context


class CollectionIndexPage(_IndexPage):
    subpage_types = ["cms.CollectionPage"]

    class Meta:
        verbose_name = _("collections index")


class CollectionPage(SocialMetaMixin, Page):
    """精选合集: an ordered StreamField of topic cards, post excerpts, rich text, images and polls."""

    intro = models.TextField(_("introduction"), max_length=1000, blank=True)
    cover = models.ForeignKey("wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("cover"))
    body = StreamField(blocks.collection_blocks(), blank=True, verbose_name=_("content"))

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("cover"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["cms.CollectionIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("collection")
        verbose_name_plural = _("collections")

    def get_social_description(self):
        return self.search_description or self.intro


class DigestIndexPage(_IndexPage):
    subpage_types = ["cms.DigestPage"]

    class Meta:
        verbose_name = _("digests index")


class DigestPage(SocialMetaMixin, Page):
    """The weekly digest (周报): proposed as a draft by cms.tasks.digest_propose_task, reviewed,
    reordered, annotated and published by editors."""

    week_start = models.DateField(_("week starting"), unique=True)
    intro = models.TextField(_("introduction"), max_length=1000, blank=True)
    body = StreamField(blocks.digest_blocks(), blank=True, verbose_name=_("content"))

    content_panels = Page.content_panels + [FieldPanel("week_start"), FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["cms.DigestIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("weekly digest")
        verbose_name_plural = _("weekly digests")
        ordering = ["-week_start"]

    def get_social_description(self):
        return self.search_description or self.intro


class EventPage(SocialMetaMixin, Page):
    """The landing page of a moderator event (engagement.events): its polls, lotteries, schedule
    and results, next to what the editors write."""

    event = models.ForeignKey("events.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("event"),
                              help_text=_("The event whose polls, lotteries and numbers this page shows."))
    intro = models.TextField(_("introduction"), max_length=1000, blank=True)
    cover = models.ForeignKey("wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("cover"))
    schedule = StreamField([("item", blocks.ScheduleItemBlock())], blank=True, verbose_name=_("schedule"))
    body = StreamField(blocks.standard_blocks(), blank=True, verbose_name=_("content"))

    content_panels = Page.content_panels + [
        FieldPanel("event"), FieldPanel("intro"), FieldPanel("cover"), FieldPanel("schedule"), FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("event page")
        verbose_name_plural = _("event pages")

    def get_social_description(self):
        return self.search_description or self.intro

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["event_data"] = selectors.event_landing(event_id=self.event_id, user=request.user)
        return context


class StandardPage(SocialMetaMixin, Page):
    """About, rules, help: headings, rich text and images."""

    body = StreamField(blocks.standard_blocks(), blank=True, verbose_name=_("content"))

    content_panels = Page.content_panels + [FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("body")]
    parent_page_types = ["cms.HomePage", "cms.StandardPage"]

    class Meta:
        verbose_name = _("standard page")
        verbose_name_plural = _("standard pages")

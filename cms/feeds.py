"""RSS 2.0 and Atom feeds of the weekly digests, the collections and the featured topics
(django.contrib.syndication). Feeds are public: they list only live, public pages and featured
topics a guest may read."""

import copy

from django.contrib.syndication.views import Feed as DjangoFeed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from . import selectors


class Feed(DjangoFeed):
    """Absolute links on the host the reader asked for (not the django.contrib.sites domain, which
    deployments rarely set). A copy per request: the instance in the URLconf is shared by threads."""

    def __call__(self, request, *args, **kwargs):
        feed = copy.copy(self)
        feed.request = request
        return DjangoFeed.__call__(feed, request, *args, **kwargs)

    def feed_url(self):
        return self.request.build_absolute_uri(self.request.path)

    def absolute(self, url):
        return self.request.build_absolute_uri(url) if url else url


class _PageFeed(Feed):
    def item_title(self, item):
        return item.seo_title or item.title

    def item_description(self, item):
        # RSS <description> and Atom <summary type="html"> are read as HTML: the editor's text goes in as text
        return escape(item.get_social_description() or "")

    def item_link(self, item):
        return self.absolute(item.url)

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at


class DigestFeed(_PageFeed):
    title = _("Huoli weekly digest")
    description = _("The best topics of each week, picked by the editors.")

    def link(self):
        return self.absolute(reverse("cms:featured"))

    def items(self):
        return selectors.public_digests()


class CollectionFeed(_PageFeed):
    title = _("Huoli collections")
    description = _("Curated collections of the community's best topics and posts.")

    def link(self):
        return self.absolute(reverse("cms:featured"))

    def items(self):
        return selectors.public_collections()


class FeaturedTopicFeed(Feed):
    title = _("Huoli featured topics (精华)")
    description = _("Topics featured by the editors and moderators.")

    def link(self):
        return self.absolute(reverse("cms:featured"))

    def items(self):
        return selectors.public_featured_topics()

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # readers render this as HTML, so the note (whoever wrote it) goes in escaped, as the text it is
        return escape(item.featured_note or item.category.name)

    def item_link(self, item):
        return self.absolute(item.get_absolute_url())

    def item_pubdate(self, item):
        return item.featured_at

    def item_author_name(self, item):
        return item.author.name

    def item_categories(self, item):
        return [item.category.name]


class DigestAtomFeed(DigestFeed):
    feed_type = Atom1Feed
    subtitle = DigestFeed.description


class CollectionAtomFeed(CollectionFeed):
    feed_type = Atom1Feed
    subtitle = CollectionFeed.description


class FeaturedTopicAtomFeed(FeaturedTopicFeed):
    feed_type = Atom1Feed
    subtitle = FeaturedTopicFeed.description

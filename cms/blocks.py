"""StreamField blocks of collections, digests, events and standard pages.

A block that shows forum content decides at render time, for the reader in the request, whether
the content may be shown: a topic or post that was deleted, hidden, or moved into a category the
reader may not read renders as "no longer available" and nothing of its title or body reaches the
page. Moderators (who may read hidden topics) see it with a "hidden" mark."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

from forum.permissions import can_read_topic, is_moderator

from .choosers import PollChooserBlock, PostChooserBlock, TopicChooserBlock

NOTE_HELP = _("Optional: the editor's words on why this is worth reading.")


def _reader(parent_context):
    request = (parent_context or {}).get("request")
    user = getattr(request, "user", None)
    if user is None:
        from django.contrib.auth.models import AnonymousUser

        user = AnonymousUser()
    return user


def topic_available(topic, user):
    return topic is not None and can_read_topic(user, topic)


def post_available(post, user):
    if post is None or not can_read_topic(user, post.topic):
        return False
    return post.is_visible or is_moderator(user)


class ForumContentBlock(blocks.StructBlock):
    """A block around one chosen forum row (its child block named `content_name`): the template gets
    that row only when the reader may see it, and `available` says whether it is there."""

    content_name = ""
    available = staticmethod(topic_available)  # (row, reader) -> may the reader see the row

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        obj = value.get(self.content_name)
        context["available"] = self.available(obj, _reader(parent_context))
        context[self.content_name] = obj if context["available"] else None
        return context


class TopicCardBlock(ForumContentBlock):
    topic = TopicChooserBlock(label=_("topic"))
    note = blocks.TextBlock(label=_("editor's note"), required=False, max_length=500, help_text=NOTE_HELP)
    content_name = "topic"
    available = staticmethod(topic_available)

    class Meta:
        icon = "doc-full"
        label = _("Topic card")
        template = "cms/blocks/topic_card.html"


class PostExcerptBlock(ForumContentBlock):
    post = PostChooserBlock(label=_("post"))
    note = blocks.TextBlock(label=_("editor's note"), required=False, max_length=500, help_text=NOTE_HELP)
    content_name = "post"
    available = staticmethod(post_available)

    class Meta:
        icon = "openquote"
        label = _("Post excerpt")
        template = "cms/blocks/post_excerpt.html"


class CaptionedImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    alt = blocks.CharBlock(label=_("alternative text"), max_length=200, required=False,
                           help_text=_("What the image shows, for readers who cannot see it."))
    caption = blocks.CharBlock(label=_("caption"), max_length=200, required=False)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "cms/blocks/image.html"


class PollEmbedBlock(blocks.StructBlock):
    poll = PollChooserBlock(label=_("poll"))

    class Meta:
        icon = "list-ul"
        label = _("Poll")
        template = "cms/blocks/poll.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        poll = value.get("poll")
        user = _reader(parent_context)
        context["pv"] = None
        if poll is not None and (poll.topic is None or can_read_topic(user, poll.topic)):
            from engagement.polls.selectors import poll_view

            context["pv"] = poll_view(poll=poll, user=user)
        return context


class ScheduleItemBlock(blocks.StructBlock):
    starts_at = blocks.DateTimeBlock(label=_("when"))
    title = blocks.CharBlock(label=_("what"), max_length=120)
    description = blocks.TextBlock(label=_("details"), required=False, max_length=1000)

    class Meta:
        icon = "time"
        label = _("Schedule item")


RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "hr", "blockquote"]


def collection_blocks():
    return [
        ("topic", TopicCardBlock()),
        ("post", PostExcerptBlock()),
        ("text", blocks.RichTextBlock(label=_("Rich text"), features=RICH_TEXT_FEATURES)),
        ("image", CaptionedImageBlock()),
        ("poll", PollEmbedBlock()),
    ]


def digest_blocks():
    return [
        ("topic", TopicCardBlock()),
        ("post", PostExcerptBlock()),
        ("text", blocks.RichTextBlock(label=_("Rich text"), features=RICH_TEXT_FEATURES)),
    ]


def standard_blocks():
    return [
        ("heading", blocks.CharBlock(label=_("Heading"), max_length=120, form_classname="title",
                                     template="cms/blocks/heading.html")),
        ("text", blocks.RichTextBlock(label=_("Rich text"), features=RICH_TEXT_FEATURES)),
        ("image", CaptionedImageBlock()),
    ]

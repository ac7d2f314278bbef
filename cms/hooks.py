"""What the pages app adds to the forum's templates (forum.hooks.template_slots): its stylesheet, the Featured
link in the navigation, the featured mark on topic rows, and the feature / unfeature controls for editors."""

from forum.hooks import template_slots
from forum.lib import slots

from .templatetags.cms_tags import feature_controls, featured_mark


def _featured_mark(context, topic):
    return slots.include("cms/includes/featured_mark.html", context, featured_mark(topic))


def _feature_controls(context, obj):
    return slots.include("cms/includes/feature_controls.html", context, feature_controls(context, obj))


def _community(context):
    """The CMS pages a member looks for (landing, 新人必读, collections, digests, rules), by the slugs cms.demo and
    cms.services.sections_ensure give them: built from URLs, no query on every page."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    def page(path):
        return reverse("wagtail_serve", args=[path])

    links = [
        {"title": _("Community home"), "url": page("")},
        {"title": _("Newcomers' guide"), "url": page("collections/newcomers/")},
        {"title": _("Collections"), "url": page("collections/")},
        {"title": _("Weekly digests"), "url": page("digests/")},
        {"title": _("Community rules"), "url": page("rules/")},
    ]
    return slots.include("cms/includes/community.html", context, {"links": links})


def connect():
    from . import audit_labels

    audit_labels.register()
    template_slots.register("head", slots.stylesheet("cms/cms.css"), order=30)
    template_slots.register("nav", slots.template("cms/includes/nav.html"), order=10)
    template_slots.register("community", _community, order=20)
    template_slots.register("topic_mark", _featured_mark)
    template_slots.register("topic_controls", _feature_controls)
    template_slots.register("post_controls", _feature_controls)

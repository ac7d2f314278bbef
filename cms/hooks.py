"""What the pages app adds to the forum's templates (forum.hooks.template_slots): its stylesheet, the Featured
link in the navigation, the featured mark on topic rows, and the feature / unfeature controls for editors."""

from forum.hooks import template_slots
from forum.lib import slots

from .templatetags.cms_tags import feature_controls, featured_mark


def _featured_mark(context, topic):
    return slots.include("cms/includes/featured_mark.html", context, featured_mark(topic))


def _feature_controls(context, obj):
    return slots.include("cms/includes/feature_controls.html", context, feature_controls(context, obj))


def connect():
    from . import audit_labels

    audit_labels.register()
    template_slots.register("head", slots.stylesheet("cms/cms.css"), order=30)
    template_slots.register("nav", slots.template("cms/includes/nav.html"), order=10)
    template_slots.register("topic_mark", _featured_mark)
    template_slots.register("topic_controls", _feature_controls)
    template_slots.register("post_controls", _feature_controls)

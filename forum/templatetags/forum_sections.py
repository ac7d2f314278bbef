"""{% load forum_sections %}{% topic_sections topic %}: the sections other apps add to the topic
page (forum.hooks.topic_sections), only those whose key the topic carries in Topic.sections: a
topic without any renders nothing and runs no query."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from forum import hooks

register = template.Library()


@register.simple_tag(takes_context=True)
def topic_sections(context, topic):
    if not topic.sections:
        return ""
    return mark_safe(hooks.topic_sections.render(context.get("request"), topic))  # noqa: S308 - rendered templates


@register.simple_tag(takes_context=True)
def topic_tool_links(context, topic):
    """{% topic_tool_links topic %}: other apps' links for the signed-in reader (forum.hooks.topic_tools)."""
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return ""
    parts = []
    for label, url, *reason in hooks.topic_tools.links(user, topic):
        if url:
            parts.append(format_html('<a class="button button-small" href="{}">{}</a>', url, label))
        else:  # a tool this member may not use yet: disabled, with the reason (no link to a refusal page)
            parts.append(format_html('<span class="button button-small" aria-disabled="true">{}</span>'
                                     ' <span class="help">{}</span>', label, reason[0] if reason else ""))
    return mark_safe("".join(parts))  # noqa: S308 - each part built by format_html


@register.simple_tag(takes_context=True)
def post_tools(context, post, topic):
    """{% post_tools post topic %}: other apps' controls on a post for the signed-in reader (forum.hooks.post_tools)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not post.is_visible:
        return ""
    return mark_safe("".join(hooks.post_tools.render(request, post, topic)))  # noqa: S308 - rendered templates

"""{% load polls_tags %}{% topic_polls topic as polls %}: a topic's polls for the current reader,
in a fixed number of queries (see engagement.polls.selectors.polls_for_topic)."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse

from engagement.polls import permissions
from engagement.polls.selectors import polls_for_topic

register = template.Library()


@register.simple_tag(takes_context=True)
def topic_polls(context, topic):
    return polls_for_topic(topic=topic, user=context["request"].user)


@register.simple_tag(takes_context=True)
def can_add_poll(context, topic):
    return permissions.can_create_poll(context["request"].user, topic)


@register.simple_tag
def poll_fragment_url(pv, next_url=""):
    """The widget's data-fragment-url: the fragment for the same place (next) and voter lists."""
    params = {}
    if next_url:
        params["next"] = next_url
    if pv.with_voters:
        params["voters"] = "1"
    url = reverse("polls:fragment", args=[pv.poll.pk])
    return f"{url}?{urlencode(params)}" if params else url

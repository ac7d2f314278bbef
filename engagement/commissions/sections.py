"""The "commission" section of a paid commission's topic (forum.hooks.topic_sections): the payment
announced where the community reads the piece."""

from django.template.loader import render_to_string

from . import selectors


def render_topic_commission(request, topic):
    commission = selectors.commission_for_topic(topic_id=topic.pk)
    if commission is None:
        return ""
    return render_to_string("commissions/topic_section.html", {"commission": commission}, request=request)

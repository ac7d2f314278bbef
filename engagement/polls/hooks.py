"""Listeners of the polls app. Polls announce poll_voted (engagement/polls/extension.py);
engagement.events listens to it. Here polls plug into the forum's pages (engagement/polls/sections.py):
the topic page's "polls" section and the new-topic form's optional poll; and keep Topic.sections
right when a poll is deleted (by the admin or a topic's deletion)."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from forum import hooks

from . import sections
from .models import Poll

hooks.topic_sections.register(sections.SECTION_KEY, sections.render_topic_polls)
hooks.topic_form.connect(sections.new_topic_poll)
hooks.topic_tools.connect(sections.topic_tool_links)


@receiver(post_delete, sender=Poll, dispatch_uid="polls_topic_section_upkeep")
def _poll_deleted(sender, instance, **kwargs):
    """Cache upkeep only: the topic page stops asking for polls once its last poll is gone."""
    if instance.topic_id and not Poll.objects.filter(topic_id=instance.topic_id).exists():
        hooks.topic_sections.hide(topic_id=instance.topic_id, key=sections.SECTION_KEY)

"""Listeners of the lotteries app. Lotteries announce lottery_entered and lottery_drawn
(engagement/lotteries/extension.py); engagement.events listens to lottery_entered. Here lotteries
plug their cards into the topic page (engagement/lotteries/sections.py) and keep Topic.sections
right when a lottery is deleted (by the admin)."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from forum import hooks

from . import sections
from .models import Lottery

hooks.topic_sections.register(sections.SECTION_KEY, sections.render_topic_lotteries)


@receiver(post_delete, sender=Lottery, dispatch_uid="lotteries_topic_section_upkeep")
def _lottery_deleted(sender, instance, **kwargs):
    """Cache upkeep only: the topic page stops asking for lotteries once none names the topic."""
    if instance.topic_id and not Lottery.objects.filter(topic_id=instance.topic_id).exists():
        hooks.topic_sections.hide(topic_id=instance.topic_id, key=sections.SECTION_KEY)

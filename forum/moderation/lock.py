"""Lock and unlock a topic: no new replies except by its moderators."""

from django.db import transaction
from django.utils.translation import gettext as _

from .. import permissions, services
from ..errors import Conflict
from ..models import Topic
from .common import clean_reason, record


@transaction.atomic
def topic_lock(*, actor, topic, locked, reason=""):
    reason = clean_reason(reason)
    topic = Topic.objects.select_for_update(of=("self",)).select_related("category", "author").get(pk=topic.pk)
    permissions.check_moderate(actor, topic)
    if topic.is_locked == bool(locked):
        raise Conflict(_("This topic is already locked.") if locked else _("This topic is not locked."))
    topic = services.topic_flag_set(actor=actor, topic=topic, field="is_locked", value=bool(locked))
    record(actor=actor, action="topic_lock" if locked else "topic_unlock", target=topic, reason=reason,
           fallback=_("locked") if locked else _("unlocked"), subject=topic.author,
           before={"is_locked": not locked}, after={"is_locked": bool(locked)}, category=topic.category)
    return topic

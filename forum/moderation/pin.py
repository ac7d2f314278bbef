"""Pin a topic in its category or globally (global: global moderators and staff), optionally until
an end date; expired pins are taken down by forum.tasks.pins_expire_task (and never shown as
pinned once past their date)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import cache as fragment_cache
from .. import hooks, permissions
from ..errors import Conflict, InvalidInput, NotAllowed
from ..models import Topic
from .common import clean_reason, parse_until, record, snapshot

PIN_FIELDS = ("is_pinned", "pinned_globally", "pinned_until")
SCOPES = ("category", "global")


def _save_pin(topic, *, actor, pinned, scope, until):
    topic.is_pinned = pinned
    topic.pinned_globally = pinned and scope == "global"
    topic.pinned_until = until if pinned else None
    topic.save(update_fields=list(PIN_FIELDS))
    fragment_cache.bump_topic(topic.pk)
    fragment_cache.bump_category(topic.category_id)
    hooks.topic_changed.send(topic=topic, actor=actor, change="pinned")


@transaction.atomic
def topic_pin(*, actor, topic, scope="category", until=None, reason=""):
    if scope not in SCOPES:
        raise InvalidInput(_("A pin is for the category or global."), field="scope")
    until = parse_until(until)
    reason = clean_reason(reason)
    topic = Topic.objects.select_for_update(of=("self",)).select_related("category").get(pk=topic.pk)
    permissions.check_moderate(actor, topic)
    if scope == "global" and not permissions.can_moderate(actor):
        raise NotAllowed(_("Only global moderators may pin a topic on every page."), code="not_global")
    if topic.is_hidden:
        raise InvalidInput(_("A hidden topic cannot be pinned."), code="hidden")
    before = snapshot(topic, PIN_FIELDS)
    if before == {"is_pinned": True, "pinned_globally": scope == "global",
                  "pinned_until": until.isoformat() if until else None}:
        raise Conflict(_("This topic is already pinned like that."))
    _save_pin(topic, actor=actor, pinned=True, scope=scope, until=until)
    record(actor=actor, action="topic_pin", target=topic, reason=reason, fallback=_("pinned"), subject=topic.author,
           before=before, after=snapshot(topic, PIN_FIELDS), category=topic.category)
    return topic


@transaction.atomic
def topic_unpin(*, actor, topic, reason=""):
    reason = clean_reason(reason)
    topic = Topic.objects.select_for_update(of=("self",)).select_related("category").get(pk=topic.pk)
    permissions.check_moderate(actor, topic)
    if topic.pinned_globally and not permissions.can_moderate(actor):
        raise NotAllowed(_("Only global moderators may unpin a global pin."), code="not_global")
    if not topic.is_pinned:
        raise Conflict(_("This topic is not pinned."))
    before = snapshot(topic, PIN_FIELDS)
    _save_pin(topic, actor=actor, pinned=False, scope="category", until=None)
    record(actor=actor, action="topic_unpin", target=topic, reason=reason, fallback=_("unpinned"),
           subject=topic.author, before=before, after=snapshot(topic, PIN_FIELDS), category=topic.category)
    return topic


@transaction.atomic
def pins_expire(*, now=None):
    """Take down every pin whose end date has passed (the system acts: the audit entry has no actor)."""
    now = now or timezone.now()
    count = 0
    for topic in Topic.objects.select_for_update(of=("self",)).select_related("category").filter(
            is_pinned=True, pinned_until__isnull=False, pinned_until__lte=now):
        before = snapshot(topic, PIN_FIELDS)
        _save_pin(topic, actor=None, pinned=False, scope="category", until=None)
        record(actor=None, action="topic_unpin", target=topic, reason=_("The pin reached its end date."),
               subject=topic.author, before=before, after=snapshot(topic, PIN_FIELDS), category=topic.category)
        count += 1
    return count

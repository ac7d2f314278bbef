"""The moderation queue: claim an item (so two moderators do not work the same one), release it,
resolve it. Every step is kept in the item's history (ModerationItemEvent) and the audit log."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions, services
from ..errors import Conflict, InvalidInput, NotAllowed
from .common import clean_reason, record
from .models import ModerationItem, ModerationItemEvent

CLAIM_MINUTES = 30
Status, Resolution, Kind = ModerationItem.Status, ModerationItem.Resolution, ModerationItem.Kind


def item_event_record(item, actor, action, note=""):
    return ModerationItemEvent.objects.create(item=item, actor=actor if actor and actor.is_authenticated else None,
                                              action=action, note=(note or "")[:500])


def check_item(actor, item):
    """Category items: moderators of that category; member reports (no category): global moderators."""
    permissions.check_moderate(actor, item.category)


def _locked(item):
    return ModerationItem.objects.select_for_update(of=("self",)).select_related(
        "post__topic__category", "topic__category", "member", "category").get(pk=item.pk)


def _claim_expired(item, now):
    return item.claimed_at is None or item.claimed_at + timedelta(minutes=CLAIM_MINUTES) < now


@transaction.atomic
def item_claim(*, actor, item):
    item = _locked(item)
    check_item(actor, item)
    if item.status != Status.OPEN:
        raise Conflict(_("This item is already resolved."), code="resolved")
    now = timezone.now()
    if item.claimed_by_id and item.claimed_by_id != actor.pk and not _claim_expired(item, now):
        raise Conflict(_("%(name)s is already working on this item.") % {"name": item.claimed_by.name},
                       code="claimed")
    item.claimed_by, item.claimed_at = actor, now
    item.save(update_fields=["claimed_by", "claimed_at"])
    item_event_record(item, actor, "claimed")
    record(actor=actor, action="queue_claim", target=item, fallback="claimed")
    return item


@transaction.atomic
def item_release(*, actor, item):
    item = _locked(item)
    check_item(actor, item)
    if item.claimed_by_id is None:
        raise Conflict(_("Nobody has claimed this item."), code="not_claimed")
    if item.claimed_by_id != actor.pk and not permissions.can_moderate(actor):
        raise NotAllowed(_("Only the moderator who claimed this item may release it."))
    item.claimed_by, item.claimed_at = None, None
    item.save(update_fields=["claimed_by", "claimed_at"])
    item_event_record(item, actor, "released")
    record(actor=actor, action="queue_release", target=item, fallback="released")
    return item


REPORT_ACTIONS = ("none", "hide", "delete")


@transaction.atomic
def item_resolve(*, actor, item, resolution, note="", action="none"):
    """Resolve a report item: upheld (optionally hiding or deleting the post/topic) or dismissed
    (an automatically hidden post comes back). Approval items go through approval.approve/reject."""
    note = clean_reason(note)
    item = _locked(item)
    check_item(actor, item)
    if item.status != Status.OPEN:
        raise Conflict(_("This item is already resolved."), code="resolved")
    if item.kind == Kind.APPROVAL:
        return _resolve_approval(actor=actor, item=item, resolution=resolution, note=note)
    _check_report_decision(actor=actor, item=item, resolution=resolution, action=action)
    if resolution == Resolution.DISMISSED and item.auto_hidden:
        _undo_auto_hide(actor=actor, item=item)
    if resolution == Resolution.UPHELD:
        _apply_report_action(actor=actor, item=item, action=action)
    _close(actor=actor, item=item, resolution=resolution, action=action, note=note)
    return item


def _resolve_approval(*, actor, item, resolution, note):
    from . import approval

    if resolution == Resolution.APPROVED:
        return approval.approve(actor=actor, item=item, note=note)
    if resolution == Resolution.REJECTED:
        return approval.reject(actor=actor, item=item, note=note)
    raise InvalidInput(_("A held post is approved or rejected."), field="resolution")


def _check_report_decision(*, actor, item, resolution, action):
    if resolution not in (Resolution.UPHELD, Resolution.DISMISSED):
        raise InvalidInput(_("A report is upheld or dismissed."), field="resolution")
    if action not in REPORT_ACTIONS or (resolution == Resolution.DISMISSED and action != "none"):
        raise InvalidInput(_("Unknown action for this report."), field="action")
    if claimed_elsewhere(item, actor):
        raise Conflict(_("%(name)s is working on this item.") % {"name": item.claimed_by.name}, code="claimed")


def _undo_auto_hide(*, actor, item):
    """A dismissed report gives back what the reports hid automatically."""
    if item.post_id and item.post.is_hidden:
        services.post_visibility_set(actor=actor, post=item.post, field="is_hidden", value=False)
    elif item.topic_id and not item.post_id and item.topic.is_hidden:
        services.topic_flag_set(actor=actor, topic=item.topic, field="is_hidden", value=False)


def _apply_report_action(*, actor, item, action):
    """An upheld report hides or deletes what was reported (the topic's opening post for a topic report)."""
    target_post = item.post if item.post_id else (item.topic.posts.filter(number=1).first() if item.topic_id else None)
    if target_post is None:
        return
    if action == "hide":
        if item.post_id and not item.post.is_hidden:
            services.post_visibility_set(actor=actor, post=item.post, field="is_hidden", value=True)
        elif item.topic_id and not item.post_id and not item.topic.is_hidden:
            services.topic_flag_set(actor=actor, topic=item.topic, field="is_hidden", value=True)
    elif action == "delete" and not target_post.is_deleted:
        services.post_visibility_set(actor=actor, post=target_post, field="is_deleted", value=True)
        if target_post.number == 1:
            services.topic_flag_set(actor=actor, topic=target_post.topic, field="is_hidden", value=True)


def _close(*, actor, item, resolution, action, note):
    """Mark the item resolved, with its history event and the audit entry."""
    item.status, item.resolution, item.resolution_note = Status.RESOLVED, resolution, note
    item.resolved_by, item.resolved_at = actor, timezone.now()
    item.save(update_fields=["status", "resolution", "resolution_note", "resolved_by", "resolved_at"])
    item_event_record(item, actor, f"{resolution}" + (f":{action}" if action != "none" else ""), note)
    target = item.post or item.topic or item.member
    record(actor=actor, action="report_resolve", target=item, reason=note, fallback=resolution,
           subject=getattr(target, "author", None) or item.member, before={"status": Status.OPEN},
           after={"status": Status.RESOLVED, "resolution": resolution, "action": action}, category=item.category,
           data={"target": f"{item.target_label}:{getattr(target, 'pk', '')}", "reports": item.report_count,
                 "weight": item.weight})


def claimed_elsewhere(item, actor):
    return bool(item.claimed_by_id and item.claimed_by_id != actor.pk
                and not _claim_expired(item, timezone.now()) and not permissions.can_moderate(actor))

"""Reports (flags) on posts, topics and members. Reports on the same object while its queue item is
open join that item; each report weighs what forum.hooks.report_weight says for the reporter (the
engagement app answers by level). When an item's weight reaches HUOLI["REPORT_AUTO_HIDE_WEIGHT"] the
post or topic is hidden pending review (a moderator restores it by dismissing the reports)."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import hooks, permissions, services
from ..errors import Conflict, InvalidInput, NotAllowed
from ..models import Post, Topic, User
from ..ratelimit import check_write_rate
from .common import record
from .models import ModerationItem, Report
from .queue import item_event_record

MESSAGE_MAX = 500


def check_report(actor, target):
    permissions.check_member(actor)
    permissions.check_not_silenced(actor)
    if isinstance(target, Post):
        permissions.check_read_topic(actor, target.topic)
        if not target.is_visible and not target.is_hidden:
            raise NotAllowed(_("This post is not available."))
        if target.author_id == actor.pk:
            raise NotAllowed(_("You cannot report your own post."), code="own")
    elif isinstance(target, Topic):
        permissions.check_read_topic(actor, target)
        if target.author_id == actor.pk:
            raise NotAllowed(_("You cannot report your own topic."), code="own")
    elif isinstance(target, User):
        if target.pk == actor.pk:
            raise NotAllowed(_("You cannot report yourself."), code="own")
        if not target.is_active:
            raise NotAllowed(_("This member is not active."))
    else:
        raise InvalidInput(_("You can report a post, a topic or a member."))
    hooks.can_report.check(actor, target)


def _open_item(target):
    filters = {"kind": ModerationItem.Kind.REPORT, "status": ModerationItem.Status.OPEN}
    if isinstance(target, Post):
        filters.update(post=target)
        create = {"post": target, "topic_id": target.topic_id, "category_id": target.topic.category_id}
    elif isinstance(target, Topic):
        filters.update(topic=target, post__isnull=True)
        create = {"topic": target, "category_id": target.category_id}
    else:
        filters.update(member=target, post__isnull=True, topic__isnull=True)
        create = {"member": target}
    item = ModerationItem.objects.select_for_update(of=("self",)).filter(**filters).first()
    if item is None:
        try:
            with transaction.atomic():
                item = ModerationItem.objects.create(kind=ModerationItem.Kind.REPORT, **create)
        except IntegrityError:  # another report opened it at the same moment
            item = ModerationItem.objects.select_for_update(of=("self",)).get(**filters)
    return item


@transaction.atomic
def report_create(*, actor, target, reason, message=""):
    if reason not in Report.Reason.values:
        raise InvalidInput(_("Choose a reason for the report."), field="reason")
    message = " ".join(str(message or "").split())
    if len(message) > MESSAGE_MAX:
        raise InvalidInput(_("The message is too long (at most %(n)d characters).") % {"n": MESSAGE_MAX},
                           field="message")
    if reason == Report.Reason.OTHER and not message:
        raise InvalidInput(_("Please say what is wrong."), field="message")
    check_report(actor, target)
    item = _open_item(target)
    if Report.objects.filter(item=item, reporter=actor).exists():
        raise Conflict(_("You have already reported this."), code="already_reported")
    check_write_rate(actor, "report")
    weight = max(int(hooks.report_weight.ask(actor)), 0)
    report = Report.objects.create(item=item, reporter=actor, reason=reason, message=message, weight=weight)
    item.weight += weight
    item.report_count += 1
    reasons = list(item.reports.values_list("reason", flat=True))
    item.reason = max(set(reasons), key=reasons.count)
    if not item.detail and message:
        item.detail = message[:300]
    item.save(update_fields=["weight", "report_count", "reason", "detail"])
    item_event_record(item, actor, "reported", f"{reason}: {message}" if message else reason)
    _maybe_auto_hide(item, target)
    hooks.report_filed.send(report=report, item=item, actor=actor)
    return report


def _maybe_auto_hide(item, target):
    threshold = settings.HUOLI.get("REPORT_AUTO_HIDE_WEIGHT", 5)
    if item.auto_hidden or not threshold or item.weight < threshold:
        return
    if isinstance(target, Post):
        if not target.is_visible:
            return
        services.post_visibility_set(actor=None, post=target, field="is_hidden", value=True)
        category = target.topic.category
    elif isinstance(target, Topic):
        if target.is_hidden:
            return
        services.topic_flag_set(actor=None, topic=target, field="is_hidden", value=True)
        category = target.category
    else:
        return
    item.auto_hidden = True
    item.save(update_fields=["auto_hidden"])
    item_event_record(item, None, "auto_hidden", _("Hidden pending review: report weight %(w)d.") % {"w": item.weight})
    record(actor=None, action=f"{item.target_label}_auto_hide", target=target,
           reason=_("Reports reached weight %(w)d (threshold %(t)d).") % {"w": item.weight, "t": threshold},
           subject=getattr(target, "author", None), before={"is_hidden": False}, after={"is_hidden": True},
           category=category, data={"item": item.pk, "at": timezone.now().isoformat()})

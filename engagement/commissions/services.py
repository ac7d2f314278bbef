"""Every write of a commission (约稿). Each verb locks the commission's row first (then the topic,
then the writer's points account: one order everywhere), checks who may act and the status it
starts from, writes, records the audit entry and notifies the other side in the same transaction.

The reward is paid once: under the commission's lock, from SUBMITTED only, through the ledger
(rule "commission_reward", keyed on the commission), and the topic is featured by the forum's own
feature verb (which pays the featured points as featuring always does)."""

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import audit_record
from engagement.points import services as points
from forum import hooks
from forum import services as forum
from forum.cache import bump_topic
from forum.errors import Conflict, InvalidInput
from forum.models import Category, Notification, Topic

from . import permissions
from .models import Commission
from .rules import commission_rules

REWARD_RULE = "commission_reward"
SECTION_KEY = "commission"
User = get_user_model()


def _text(value, *, field, limit, required=True):
    value = " ".join(str(value or "").split()) if field == "theme" else str(value or "").strip()
    if required and not value:
        raise InvalidInput(_("This field is required."), field=field)
    if len(value) > limit:
        raise InvalidInput(_("At most %(n)d characters.") % {"n": limit}, field=field)
    return value


def clean_reward(reward):
    rules = commission_rules()
    if isinstance(reward, str):
        reward = int(reward) if reward.strip().isdigit() else None
    if isinstance(reward, bool) or not isinstance(reward, int) or not rules["MIN_REWARD"] <= reward <= rules["MAX_REWARD"]:
        raise InvalidInput(_("A commission's reward is between %(lo)d and %(hi)d points.") % {
            "lo": rules["MIN_REWARD"], "hi": rules["MAX_REWARD"]}, field="reward")
    return reward


def clean_due(due, *, now):
    if hasattr(due, "year") and not isinstance(due, datetime):  # a date: the end of that day, site time
        due = timezone.make_aware(datetime.combine(due, time(23, 59)))
    if not isinstance(due, datetime):
        raise InvalidInput(_("Give a due date."), field="due_at")
    if timezone.is_naive(due):
        due = timezone.make_aware(due)
    if due <= now:
        raise InvalidInput(_("The due date must be in the future."), field="due_at")
    if due > now + timedelta(days=commission_rules()["MAX_DAYS"]):
        raise InvalidInput(_("The due date can be at most %(n)d days away.") % {"n": commission_rules()["MAX_DAYS"]},
                           field="due_at")
    return due


def _url(commission):
    return reverse("commissions:detail", args=[commission.pk])


def _notify(commission, recipient, message, actor):
    forum.notification_create(recipient=recipient, kind=Notification.Kind.SYSTEM, message=message,
                              url=_url(commission), actor=actor, topic=commission.topic)


def _lock(commission_id):
    commission = (Commission.objects.select_for_update(of=("self",)).select_related("writer", "editor", "topic")
                  .filter(pk=commission_id).first())
    if commission is None:
        raise InvalidInput(_("There is no such commission."), code="not_found")
    return commission


def _require(commission, *statuses):
    if commission.status not in statuses:
        raise Conflict(_("This commission is %(status)s: that cannot be done now.") % {
            "status": commission.get_status_display()}, code="wrong_status")


def _audit(actor, commission, action, reason, before, **data):
    audit_record(actor=actor, action=f"commission.{action}", reason=reason or action, target=commission,
                 subject=commission.writer, scope_id=commission.category_id,
                 before={"status": before}, after={"status": commission.status, **data})


@transaction.atomic
def commission_invite(*, actor, writer, theme, reward, due_at, brief="", category=None, now=None):
    """An editor invites `writer` (a User or a username) to write on `theme` for `reward` points by
    `due_at` (a date or a datetime)."""
    permissions.check_commission(actor)
    now = now or timezone.now()
    if isinstance(writer, str):
        name = writer.strip().lstrip("@")
        writer = User.objects.filter(username__iexact=name, is_active=True).first() if name else None
    if writer is None or not writer.is_active:
        raise InvalidInput(_("There is no active member with that username."), field="writer")
    if writer.pk == actor.pk:
        raise InvalidInput(_("You cannot commission yourself."), field="writer")
    theme = _text(theme, field="theme", limit=120)
    brief = _text(brief, field="brief", limit=2000, required=False)
    reward = clean_reward(reward)
    due_at = clean_due(due_at, now=now)
    if category is not None and not isinstance(category, Category):
        category = Category.objects.filter(pk=category).first()
    # the writer's row lock makes the open-commission limit and the duplicate check exact
    User.objects.select_for_update(of=("self",)).filter(pk=writer.pk).values_list("pk", flat=True).first()
    open_ = Commission.objects.filter(writer=writer, status__in=Commission.OPEN)
    if open_.filter(theme=theme).exists():
        raise Conflict(_("This member already has an open commission on this theme."), code="duplicate")
    limit = commission_rules()["MAX_OPEN_PER_WRITER"]
    if open_.count() >= limit:
        raise Conflict(_("This member already has %(n)d open commissions.") % {"n": limit}, code="too_many_open")
    commission = Commission.objects.create(editor=actor, writer=writer, theme=theme, brief=brief, reward=reward,
                                           due_at=due_at, category=category, created_at=now)
    _audit(actor, commission, "invite", theme, "", reward=reward, due_at=due_at.isoformat())
    _notify(commission, writer, _("%(editor)s invites you to write “%(theme)s” for %(n)d points, due %(due)s.") % {
        "editor": actor.username, "theme": theme, "n": reward,
        "due": timezone.localtime(due_at).strftime("%Y-%m-%d")}, actor)
    return commission


@transaction.atomic
def commission_respond(*, actor, commission_id, accept, note=""):
    """The writer accepts or declines an invitation (a decline may say why)."""
    commission = _lock(commission_id)
    permissions.check_writer(actor, commission)
    _require(commission, Commission.Status.INVITED)
    note = _text(note, field="note", limit=500, required=False)
    commission.status = Commission.Status.ACCEPTED if accept else Commission.Status.DECLINED
    commission.writer_note = note
    commission.responded_at = timezone.now()
    if not accept:
        commission.closed_at = commission.responded_at
    commission.save(update_fields=["status", "writer_note", "responded_at", "closed_at"])
    _audit(actor, commission, "accept" if accept else "decline", note, Commission.Status.INVITED)
    message = (_("%(writer)s accepted your commission “%(theme)s”.") if accept
               else _("%(writer)s declined your commission “%(theme)s”."))
    _notify(commission, commission.editor, message % {"writer": actor.username, "theme": commission.theme}, actor)
    return commission


@transaction.atomic
def commission_submit(*, actor, commission_id, topic_id, note=""):
    """The writer hands in one of their own visible topics for review."""
    commission = _lock(commission_id)
    permissions.check_writer(actor, commission)
    _require(commission, Commission.Status.ACCEPTED, Commission.Status.RETURNED)
    topic = Topic.objects.filter(pk=topic_id).first() if str(topic_id or "").isdigit() else None
    if topic is None or topic.author_id != actor.pk or topic.is_hidden or getattr(topic, "is_deleted", False):
        raise InvalidInput(_("Choose one of your own visible topics."), field="topic")
    other = Commission.objects.filter(topic_id=topic.pk).exclude(pk=commission.pk).exists()
    if other:
        raise Conflict(_("This topic was already handed in for another commission."), code="topic_used")
    before = commission.status
    commission.topic = topic
    commission.status = Commission.Status.SUBMITTED
    commission.writer_note = _text(note, field="note", limit=500, required=False)
    commission.submitted_at = timezone.now()
    commission.save(update_fields=["topic", "status", "writer_note", "submitted_at"])
    _audit(actor, commission, "submit", commission.writer_note, before, topic=topic.pk)
    _notify(commission, commission.editor, _("%(writer)s handed in “%(title)s” for your commission “%(theme)s”.") % {
        "writer": actor.username, "title": topic.title, "theme": commission.theme}, actor)
    return commission


@transaction.atomic
def commission_review(*, actor, commission_id, approve, note=""):
    """The editor approves the submitted topic (the reward is paid, the topic featured and the
    payment shown on the topic and the commissions wall) or returns it with a note for changes."""
    permissions.check_commission(actor)
    commission = _lock(commission_id)
    _require(commission, Commission.Status.SUBMITTED)
    note = _text(note, field="note", limit=500, required=not approve)
    commission.review_note = note
    if not approve:
        commission.status = Commission.Status.RETURNED
        commission.save(update_fields=["status", "review_note"])
        _audit(actor, commission, "return", note, Commission.Status.SUBMITTED)
        _notify(commission, commission.writer, _("Your commission “%(theme)s” was returned for changes: %(note)s") % {
            "theme": commission.theme, "note": note}, actor)
        return commission
    topic = commission.topic
    if topic is None or topic.is_hidden:
        raise InvalidInput(_("The submitted topic is gone or hidden; return the commission instead."),
                           code="topic_gone")
    if not topic.is_featured:
        forum.topic_feature(actor=actor, topic=topic, featured=True, audited=False,
                            note=note or _("Commissioned: %(theme)s") % {"theme": commission.theme})
        featured = True
    else:
        featured = False
    entry = points.points_award(member=commission.writer, rule_code=REWARD_RULE, amount=commission.reward,
                                source=commission, actor=actor, note=commission.theme[:100])
    commission.payout_entry = entry
    commission.status = Commission.Status.PAID
    commission.closed_at = timezone.now()
    commission.save(update_fields=["status", "review_note", "payout_entry", "closed_at"])
    hooks.topic_sections.show(topic_id=topic.pk, key=SECTION_KEY)
    bump_topic(topic.pk)
    _audit(actor, commission, "pay", note or commission.theme, Commission.Status.SUBMITTED,
           reward=commission.reward, entry=entry.pk if entry else None, featured=featured, topic=topic.pk)
    _notify(commission, commission.writer, _("Your commission “%(theme)s” was accepted: you received %(n)d points "
                                             "and your topic was featured.") % {"theme": commission.theme,
                                                                                "n": commission.reward}, actor)
    return commission


@transaction.atomic
def commission_cancel(*, actor, commission_id, reason):
    """An editor withdraws an open commission (before it is paid), with a reason the writer sees."""
    permissions.check_commission(actor)
    commission = _lock(commission_id)
    _require(commission, Commission.Status.INVITED, Commission.Status.ACCEPTED, Commission.Status.RETURNED,
             Commission.Status.SUBMITTED)
    reason = _text(reason, field="reason", limit=500)
    before = commission.status
    commission.status = Commission.Status.CANCELLED
    commission.review_note = reason
    commission.closed_at = timezone.now()
    commission.save(update_fields=["status", "review_note", "closed_at"])
    _audit(actor, commission, "cancel", reason, before)
    _notify(commission, commission.writer, _("The commission “%(theme)s” was withdrawn: %(reason)s") % {
        "theme": commission.theme, "reason": reason}, actor)
    return commission


@transaction.atomic
def commission_expire(*, commission_id, now=None):
    """Close a commission nobody handed in by its due date. Safe to run twice; a submitted one
    waits for its review."""
    now = now or timezone.now()
    commission = _lock(commission_id)
    if commission.status not in (Commission.Status.INVITED, Commission.Status.ACCEPTED,
                                 Commission.Status.RETURNED) or commission.due_at > now:
        return commission.status
    before = commission.status
    commission.status = Commission.Status.EXPIRED
    commission.closed_at = now
    commission.save(update_fields=["status", "closed_at"])
    _audit(None, commission, "expire", _("Past its due date"), before)
    _notify(commission, commission.writer, _("The commission “%(theme)s” passed its due date and was closed.") % {
        "theme": commission.theme}, None)
    return commission.status

"""Lifecycle writes: the daily classification, recall templates, recall campaigns (notification +
email, optional bonus points on return) and the tracking of who came back."""

import datetime
import logging
import string

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import audit_record
from engagement.points.services import points_award
from forum.errors import InvalidInput
from forum.lib.mail import mail_subject
from forum.models import Notification, Post, PostVote, User
from forum.services import notification_create

from . import conf, permissions, selectors
from .models import MemberStage, RecallCampaign, RecallRecipient, RecallTemplate, Stage, StageDaily

logger = logging.getLogger(__name__)

RECALL_RULE = "recall_bonus"
PLACEHOLDERS = {"name", "site_name", "last_active", "bonus", "url"}
RECALLABLE = {Stage.AT_RISK, Stage.CHURNED}


# --- classification ------------------------------------------------------------------------------
def lifecycle_classify(*, today=None, batch_size=5000):
    """Classify every active member as of `today` (site time) and record the day's counts per
    stage. Running it again for the same day gives the same rows (idempotent)."""
    import numpy as np  # classification runs in Celery or a command; web workers never load numpy

    from . import classify

    today = today or timezone.localdate()
    result = classify.classify(today=today)
    ids = result.member_ids
    old = dict(MemberStage.objects.values_list("member_id", "stage"))
    old_since = dict(MemberStage.objects.values_list("member_id", "since"))
    fields = ["stage", "since", "classified_on", "last_active_at", "baseline_rate", "recent_rate", "posts", "topics",
              "votes", "main_category"]
    tz = datetime.UTC
    with transaction.atomic():
        for lo in range(0, len(ids), batch_size):
            rows = []
            for i in range(lo, min(lo + batch_size, len(ids))):
                member_id, stage = int(ids[i]), int(result.stage[i])
                since = old_since[member_id] if old.get(member_id) == stage else today
                last = int(result.last_active[i])
                rows.append(MemberStage(
                    member_id=member_id, stage=stage, since=min(since, today), classified_on=today,
                    last_active_at=datetime.datetime.fromtimestamp(last, tz) if last >= 0 else None,
                    baseline_rate=round(float(result.baseline_rate[i]), 2),
                    recent_rate=round(float(result.recent_rate[i]), 2), posts=int(result.posts[i]),
                    topics=int(result.topics[i]), votes=int(result.votes[i]),
                    main_category_id=int(result.main_category[i]) or None))
            MemberStage.objects.bulk_create(rows, update_conflicts=True, unique_fields=["member"],
                                            update_fields=fields)
        MemberStage.objects.exclude(member_id__in=User.objects.filter(is_active=True).values("pk")).delete()
        counts = np.bincount(result.stage, minlength=max(Stage.values) + 1)
        for stage in Stage.values:
            StageDaily.objects.update_or_create(day=today, stage=stage, defaults={"count": int(counts[stage])})
    return {Stage(s).name.lower(): int(counts[s]) for s in Stage.values}


# --- templates -------------------------------------------------------------------------------------
def _check_placeholders(text, field):
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        raise InvalidInput(_("Unbalanced braces: write {name}-style placeholders, or {{ and }} for a brace."),
                           field=field) from None
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            raise InvalidInput(_("Unknown placeholder {%(name)s}. Use: %(known)s.")
                               % {"name": name, "known": ", ".join("{%s}" % p for p in sorted(PLACEHOLDERS))},
                               field=field)
    return text


def _clean_text(value, *, field, max_length, label):
    value = str(value or "").strip()
    if not value:
        raise InvalidInput(_("%(label)s is required.") % {"label": label}, field=field)
    if len(value) > max_length:
        raise InvalidInput(_("%(label)s is at most %(n)d characters.") % {"label": label, "n": max_length},
                           field=field)
    return value


@transaction.atomic
def recall_template_save(*, actor, name, subject, body, template=None):
    permissions.check_manage_lifecycle(actor)
    name = _clean_text(name, field="name", max_length=80, label=_("The name"))
    subject = _check_placeholders(_clean_text(subject, field="subject", max_length=150, label=_("The subject")),
                                  "subject")
    body = _check_placeholders(_clean_text(body, field="body", max_length=4000, label=_("The message")), "body")
    if template is None:
        template = RecallTemplate(name=name, subject=subject, body=body, updated_by=actor)
    else:
        template.name, template.subject, template.body = name, subject, body
        template.updated_by, template.updated_at = actor, timezone.now()
    template.save()
    audit_record(actor=actor, action="lifecycle.template_save", reason=_("Recall template saved"), target=template)
    return template


def render_message(text, *, member, bonus, last_active):
    values = {
        "name": member.name,
        "site_name": getattr(settings, "WAGTAIL_SITE_NAME", "Huoli"),
        "last_active": last_active.strftime("%Y-%m-%d") if last_active else "—",
        "bonus": str(bonus),
        "url": settings.SITE_URL.rstrip("/") + reverse("forum:index"),
    }
    return text.format_map(values)


# --- campaigns -------------------------------------------------------------------------------------
@transaction.atomic
def recall_campaign_create(*, actor, template, name, stage, bonus_points=0, filters=None):
    """Recall the members of `stage` (at risk or churned) matching the dashboard `filters`: each
    gets a notification now and an email (sent by a task after commit). Members with a recall
    still open (sent less than RETURN_DAYS ago, not yet back) are skipped. With `bonus_points`,
    those who come back within RETURN_DAYS earn them."""
    permissions.check_manage_lifecycle(actor)
    name = _clean_text(name, field="name", max_length=120, label=_("The name"))
    if template is None:
        raise InvalidInput(_("Choose a template."), field="template")
    try:
        stage = Stage(int(stage))
    except (TypeError, ValueError):
        stage = None
    if stage not in RECALLABLE:
        raise InvalidInput(_("Recall members who are at risk or churned."), field="stage")
    try:
        bonus_points = int(bonus_points or 0)
    except (TypeError, ValueError):
        bonus_points = -1
    if not 0 <= bonus_points <= 10000:
        raise InvalidInput(_("Bonus points are a whole number from 0 to 10000."), field="bonus_points")
    filters = {k: v for k, v in (filters or {}).items() if k in selectors.FILTER_KEYS and v}
    cfg = conf.config()
    now = timezone.now()
    open_recalls = RecallRecipient.objects.filter(
        returned_at__isnull=True, notified_at__gt=now - datetime.timedelta(days=cfg["RETURN_DAYS"])).values("member_id")
    members = list(selectors.lifecycle_members(stage=stage, **filters).exclude(member_id__in=open_recalls)
                   .select_related("member"))
    if not members:
        raise InvalidInput(_("No member matches: nobody to recall."), field="stage")
    campaign = RecallCampaign.objects.create(
        name=name, template=template, subject=template.subject, body=template.body, stage=stage, filters=filters,
        bonus_points=bonus_points, created_by=actor, created_at=now, recipient_count=len(members))
    RecallRecipient.objects.bulk_create([
        RecallRecipient(campaign=campaign, member_id=row.member_id, stage=row.stage, notified_at=now)
        for row in members])
    for row in members:
        notification_create(
            recipient=row.member, kind=Notification.Kind.SYSTEM,
            message=render_message(campaign.subject, member=row.member, bonus=bonus_points,
                                   last_active=row.last_active_at)[:300],
            url=reverse("forum:index"))
    audit_record(actor=actor, action="lifecycle.recall", reason=name, target=campaign,
                 data={"stage": int(stage), "recipients": len(members), "bonus_points": bonus_points,
                       "filters": filters})
    from .tasks import recall_send_emails_task

    transaction.on_commit(lambda: recall_send_emails_task.delay(campaign.pk))
    return campaign


def recall_send_emails(*, campaign_id):
    """Email every recipient of the campaign who has an address and was not emailed yet (safe to
    run again: each recipient is marked as soon as its email is sent)."""
    campaign = RecallCampaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return 0
    pending = (RecallRecipient.objects.filter(campaign=campaign, emailed_at__isnull=True)
               .exclude(member__email="").select_related("member", "member__lifecycle"))
    sent = 0
    with get_connection() as connection:
        for recipient in pending.iterator(chunk_size=500):
            member = recipient.member
            last = getattr(getattr(member, "lifecycle", None), "last_active_at", None)
            message = EmailMessage(
                # one line of plain text: a member's name or the template cannot add a header or a break
                subject=mail_subject(render_message(campaign.subject, member=member, bonus=campaign.bonus_points,
                                                    last_active=last)),
                body=render_message(campaign.body, member=member, bonus=campaign.bonus_points, last_active=last),
                to=[member.email], connection=connection)
            try:
                message.send()
            except Exception:
                logger.exception("recall email to member %s failed", member.pk)
                continue
            RecallRecipient.objects.filter(pk=recipient.pk).update(emailed_at=timezone.now())
            sent += 1
    return sent


def _mark_returned(recipients_with_times):
    """[(recipient, returned_at)]: record the return and pay the campaign's bonus, once."""
    marked = 0
    for recipient, returned_at in recipients_with_times:
        with transaction.atomic():
            updated = RecallRecipient.objects.filter(pk=recipient.pk, returned_at__isnull=True).update(
                returned_at=returned_at)
            if not updated:
                continue
            marked += 1
            bonus = recipient.campaign.bonus_points
            if bonus:
                entry = points_award(member=recipient.member, rule_code=RECALL_RULE, amount=bonus,
                                     source=recipient.campaign, note=recipient.campaign.name)
                if entry is not None:
                    RecallRecipient.objects.filter(pk=recipient.pk).update(bonus_awarded=entry.amount)
    return marked


def recall_mark_returned(*, member_id, at=None):
    """Called when a member posts or votes: close their open recalls as 'came back'."""
    at = at or timezone.now()
    window = datetime.timedelta(days=conf.config()["RETURN_DAYS"])
    open_rows = list(RecallRecipient.objects.filter(member_id=member_id, returned_at__isnull=True,
                                                    notified_at__lt=at, notified_at__gte=at - window)
                     .select_related("campaign", "member"))
    return _mark_returned([(r, at) for r in open_rows])


def recall_track_returns(*, now=None):
    """The daily sweep: for every open recall, the first post or vote after the notification; a
    member back within RETURN_DAYS is marked (and paid the bonus) if the live hook missed it."""
    now = now or timezone.now()
    window = datetime.timedelta(days=conf.config()["RETURN_DAYS"])
    first_post = (Post.objects.filter(author_id=OuterRef("member_id"), created_at__gt=OuterRef("notified_at"),
                                      is_deleted=False).order_by("created_at").values("created_at")[:1])
    first_vote = (PostVote.objects.filter(user_id=OuterRef("member_id"), created_at__gt=OuterRef("notified_at"))
                  .order_by("created_at").values("created_at")[:1])
    rows = (RecallRecipient.objects.filter(returned_at__isnull=True, notified_at__gte=now - window - window)
            .annotate(first_post=Subquery(first_post), first_vote=Subquery(first_vote))
            .select_related("campaign", "member"))
    found = []
    for r in rows:
        times = [t for t in (r.first_post, r.first_vote) if t is not None]
        if times and min(times) <= r.notified_at + window:
            found.append((r, min(times)))
    return _mark_returned(found)

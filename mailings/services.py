"""Writes of email notifications: preferences, the one-click unsubscribe, recording what is worth a
mail, and sending what is due in batches (Celery) with a send record that makes each mail go out at
most once. Sending re-reads every item: nothing is mailed about content the member can no longer
read, nor about what they already read on the site."""

import logging
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from forum.errors import InvalidInput
from forum.permissions import check_member

from . import conf, render, selectors
from .models import DIGEST_CHOICES, Frequency, Kind, MailItem, MailPreference, MailSend, MailSettings
from .tokens import read_unsubscribe_token

logger = logging.getLogger(__name__)


# --- preferences -------------------------------------------------------------------------------------------
@transaction.atomic
def preferences_save(*, actor, choices, language=None):
    """`choices`: {kind: frequency}; kinds left out keep their setting."""
    check_member(actor)
    for kind, frequency in choices.items():
        if kind not in Kind.values or frequency not in Frequency.values:
            raise InvalidInput(_("Unknown mail setting."), field=kind)
        if kind == Kind.DIGEST and frequency not in DIGEST_CHOICES:
            raise InvalidInput(_("The digest comes weekly or not at all."), field=kind)
        MailPreference.objects.update_or_create(member=actor, kind=kind,
                                                defaults={"frequency": frequency, "updated_at": timezone.now()})
    if language is not None:
        if language not in dict(settings.LANGUAGES):
            raise InvalidInput(_("Unknown language."), field="language")
        MailSettings.objects.update_or_create(member=actor, defaults={"language": language})


@transaction.atomic
def unsubscribe(*, token):
    """The one-click unsubscribe: no sign-in, the signed token names member and kind ("all": every kind).
    Returns (member, kinds turned off), or None for a bad token."""
    found = read_unsubscribe_token(token)
    if found is None:
        return None
    member_id, kind = found
    member = get_user_model().objects.filter(pk=member_id).first()
    if member is None or (kind != "all" and kind not in Kind.values):
        return None
    kinds = list(Kind.values) if kind == "all" else [kind]
    for k in kinds:
        MailPreference.objects.update_or_create(member=member, kind=k,
                                                defaults={"frequency": Frequency.NEVER, "updated_at": timezone.now()})
    MailItem.objects.filter(member=member, kind__in=kinds, done_at__isnull=True).update(
        done_at=timezone.now(), outcome="unsubscribed")
    return member, kinds


# --- recording what is worth a mail --------------------------------------------------------------------------
def due_time(frequency, now=None):
    now = now or timezone.now()
    if frequency == Frequency.IMMEDIATELY:
        return now + timedelta(seconds=conf.immediate_delay())
    local = timezone.localtime(now)
    at = timezone.make_aware(datetime.combine(local.date(), time(conf.summary_hour())), local.tzinfo)
    if frequency == Frequency.DAILY:
        return at if at > now else at + timedelta(days=1)
    monday = at - timedelta(days=local.weekday())
    return monday if monday > now else monday + timedelta(days=7)


def item_record(*, member, kind, ref_type, ref_id, now=None):
    """A MailItem for `member` at their frequency for `kind`; None when they want none. Idempotent."""
    frequency = selectors.frequency_for(member, kind)
    if frequency == Frequency.NEVER or not member.email or not member.is_active:
        return None
    item, _created = MailItem.objects.get_or_create(
        member=member, ref_type=ref_type, ref_id=ref_id,
        defaults={"kind": kind, "frequency": frequency, "due_at": due_time(frequency, now)})
    return item


def notification_recorded(*, notification_id):
    from forum.models import Notification

    notification = Notification.objects.select_related("recipient", "post__reply_to").filter(
        pk=notification_id).first()
    if notification is None:
        return None
    kind = selectors.notification_kind(notification)
    if kind is None:
        return None
    return item_record(member=notification.recipient, kind=kind, ref_type="notification", ref_id=notification.pk)


def message_recorded(*, message_id, recipient_ids):
    members = get_user_model().objects.filter(pk__in=recipient_ids)
    return [item_record(member=m, kind=Kind.PRIVATE_MESSAGE, ref_type="message", ref_id=message_id) for m in members]


# --- sending ---------------------------------------------------------------------------------------------------
def claim(*, member, key, kind):
    """Write the send record before the send: True if this run may send the mail, False if some run
    (this one earlier, or one that crashed) already claimed it."""
    try:
        with transaction.atomic():
            MailSend.objects.create(member=member, key=key, kind=kind)
    except IntegrityError:
        return False
    return True


def _finish(items, outcome):
    MailItem.objects.filter(pk__in=[i.pk for i in items]).update(done_at=timezone.now(), outcome=outcome)


def _summary_subject(frequency, count):
    if frequency == Frequency.DAILY:
        return lambda: ngettext("Your daily summary: %(n)d new item", "Your daily summary: %(n)d new items",
                                count) % {"n": count}
    return lambda: ngettext("Your weekly summary: %(n)d new item", "Your weekly summary: %(n)d new items",
                            count) % {"n": count}


def _groups(items):
    """Immediate items one mail each; summary items one mail per member and frequency."""
    summaries = {}
    for item in items:
        if item.frequency == Frequency.IMMEDIATELY:
            yield f"item:{item.pk}", [item]
        else:
            summaries.setdefault((item.member_id, item.frequency), []).append(item)
    for (_member, frequency), group in summaries.items():
        yield f"summary:{frequency}:{group[0].pk}-{group[-1].pk}", group


def due_send(*, now=None, limit=None):
    """Send what is due, up to `limit` mails over one SMTP connection. Returns {"sent", "skipped", "failed"}."""
    now = now or timezone.now()
    limit = limit or conf.batch_size()
    report = {"sent": 0, "skipped": 0, "failed": 0}
    items = list(MailItem.objects.filter(done_at__isnull=True, due_at__lte=now).select_related("member")
                 .order_by("member_id", "pk")[: limit * 10])
    connection = get_connection()
    try:
        connection.open()  # held for the batch (send_messages closes only connections it opened itself)
        for key, group in _groups(items):
            if report["sent"] + report["failed"] >= limit:
                break
            _send_group(key, group, connection, report)
    finally:
        connection.close()
    return report


def _send_group(key, group, connection, report):
    member = group[0].member
    language = selectors.language_of(member)
    views = []
    with translation.override(language):  # titles such as "X replied in ..." in the member's language
        for item in group:
            view, outcome = selectors.item_view(item)
            if view is None:
                _finish([item], outcome)
            else:
                views.append((item, view))
    if not views:
        report["skipped"] += 1
        return
    items = [item for item, _view in views]
    kind = items[0].kind if len(items) == 1 else "all"
    if not claim(member=member, key=key, kind=items[0].kind):
        _finish(items, "claimed")  # a run that crashed after claiming it: never twice
        report["skipped"] += 1
        return
    if len(items) == 1 and items[0].frequency == Frequency.IMMEDIATELY:
        title = views[0][1].title

        def subject():
            return title
    else:
        subject = _summary_subject(items[0].frequency, len(items))
    mail = render.build(member=member, language=language, kind=kind, template="items", subject=subject,
                        context={"items": [view for _item, view in views],
                                 "summary": items[0].frequency != Frequency.IMMEDIATELY,
                                 "absolute": render.absolute})
    try:
        connection.send_messages([mail])
    except Exception as exc:  # SMTP refused: record it; the items wait for an operator's resend
        logger.warning("mail %s to member %s failed: %s", key, member.pk, exc)
        MailSend.objects.filter(member=member, key=key).update(status=MailSend.Status.FAILED, error=str(exc)[:300])
        _finish(items, "failed")
        report["failed"] += 1
        return
    MailSend.objects.filter(member=member, key=key).update(status=MailSend.Status.SENT, sent_at=timezone.now())
    _finish(items, "sent")
    report["sent"] += 1


# --- the weekly digest by email ---------------------------------------------------------------------------------
def digest_recipients():
    """Active members with an email who have not turned the digest off (it is on by default)."""
    off = MailPreference.objects.filter(kind=Kind.DIGEST, frequency=Frequency.NEVER).values("member_id")
    return (get_user_model().objects.filter(is_active=True).exclude(email="").exclude(pk__in=off)
            .order_by("pk"))


def digest_candidates(digest, limit=5):
    """The week's top visible topics, read once per run; each member gets the first `limit` they may read."""
    from forum.models import Topic

    start = timezone.make_aware(datetime.combine(digest.week_start, time()))
    return list(Topic.objects.filter(created_at__gte=start, created_at__lt=start + timedelta(days=7), is_hidden=False)
                .select_related("category").order_by("-hot_score", "-pk")[: limit * 4])


def _claim_fast(member_id, key, kind, *, retry_failed=False):
    """claim() in one round trip (INSERT ... ON CONFLICT DO NOTHING RETURNING), for the digest's hot loop.
    With retry_failed, a send recorded as failed (the server refused it: it did not go out) is claimed
    again; one still "sending" (a crash with the mail in flight) never is."""
    from django.db import connection

    q = connection.ops.quote_name
    table = q(MailSend._meta.db_table)
    on_conflict = "DO NOTHING"
    params = [member_id, key, kind, MailSend.Status.SENDING, timezone.now()]
    if retry_failed:
        on_conflict = f"DO UPDATE SET status = %s, error = '' WHERE {table}.status = %s"
        params += [MailSend.Status.SENDING, MailSend.Status.FAILED]
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (member_id, {q('key')}, kind, status, error, created_at) "
                       f"VALUES (%s, %s, %s, %s, '', %s) ON CONFLICT (member_id, {q('key')}) {on_conflict} RETURNING id",
                       params)
        return cursor.fetchone() is not None


def digest_send_batch(*, digest, members, candidates, connection, limit=5, retry_failed=False):
    """Mail the digest to a batch of members, at most once each per digest: each member's send record
    is claimed (written) before their mail goes out, so a run that dies mid-way and is started again
    skips whoever it already claimed. Languages and groups are read once per batch, the week's topics
    once per run (`candidates`). retry_failed sends again to those whose earlier send the server
    refused. Returns {"sent", "skipped", "failed"}."""
    from django.contrib.auth.models import Group

    from forum.permissions import can_read_topic

    report = {"sent": 0, "skipped": 0, "failed": 0}
    key = f"digest:{digest.pk}"
    ids = [m.pk for m in members]
    languages = dict(MailSettings.objects.filter(member_id__in=ids).values_list("member_id", "language"))
    if any(t.category.read_group_id for t in candidates):
        groups = {}
        for member_id, group_id, name in Group.user_set.through.objects.filter(user_id__in=ids).values_list(
                "user_id", "group_id", "group__name"):
            groups.setdefault(member_id, []).append((group_id, name))
        for member in members:  # what forum.permissions reads once per member, for the whole batch
            pairs = groups.get(member.pk, ())
            member._huoli_groups = (frozenset(g for g, _ in pairs), frozenset(n for _, n in pairs))
    digest_url = render.absolute(digest.url or "/")
    public = [(t.title, render.absolute(t.get_absolute_url())) for t in candidates[:limit]
              if t.category.read_group_id is None]
    everyone = len(public) == min(limit, len(candidates))  # the first `limit` topics are readable by all
    sent = []
    try:
        for member in members:
            if not _claim_fast(member.pk, key, Kind.DIGEST, retry_failed=retry_failed):
                report["skipped"] += 1
                continue
            if everyone:
                topics = public
            else:
                topics = [(t.title, render.absolute(t.get_absolute_url())) for t in candidates
                          if can_read_topic(member, t)][:limit]
            mail = render.build(member=member, language=languages.get(member.pk, settings.LANGUAGE_CODE),
                                kind=Kind.DIGEST, template="digest", subject=lambda: digest.title,
                                context={"digest": digest, "digest_url": digest_url, "topics": topics})
            try:
                connection.send_messages([mail])
            except Exception as exc:
                MailSend.objects.filter(member=member, key=key).update(status=MailSend.Status.FAILED,
                                                                       error=str(exc)[:300])
                report["failed"] += 1
                continue
            sent.append(member.pk)
            report["sent"] += 1
    finally:  # what went out is marked sent even when the batch dies after it
        if sent:
            MailSend.objects.filter(member_id__in=sent, key=key).update(status=MailSend.Status.SENT,
                                                                       sent_at=timezone.now())
    return report

"""Rolling one day's facts up into the console's tables (the service the beat task and the
`console_backfill` command call).

`rollup_day(day)` is idempotent: it deletes what an earlier run wrote for that day and writes it
again, in one transaction, from the forum's tables. A day is a local calendar day of
settings.TIME_ZONE (Asia/Shanghai): 23:30 and 00:30 local time land on two days, whatever UTC says.
Measures over a window (WAU, MAU, the funnel's "came back within 7 days", cohorts, events'
retention) read the ActiveDay rows of earlier days, so a backfill runs from the oldest day forwards.

"Active" means: wrote a post (a topic or a reply), voted on a post, or checked in that day. Sign-ins
are not counted: the site keeps only each member's latest one (User.last_login), not a history.
"""

import datetime
import zoneinfo

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Min, Q, Sum
from django.utils import timezone

from engagement.checkin.models import CheckIn
from engagement.events.models import Event, EventAction, EventParticipation
from engagement.kol import conf as kol_conf
from engagement.kol.models import KolDecision, KolRun, KolScore
from engagement.lifecycle.models import RecallCampaign
from engagement.points.models import PointsEntry
from forum.models import ModerationItem, Post, PostVote, Report, Topic, User

from .models import (
    ActiveDay,
    CategoryDay,
    EventFact,
    KolDay,
    ModerationFact,
    PointsDay,
    RecallFact,
    RetentionWeek,
    SignupDay,
    SiteDay,
    TopicFact,
)

DAY = datetime.timedelta(days=1)
FUNNEL_DAYS = 7  # "came back within 7 days", "first post within 7 days"
COHORT_WEEKS = 12  # retention cells kept per week: the signup week and the 11 after it
EVENT_RETENTION_DAYS = 14


def site_tz():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def day_start(day):
    """The first instant of a local day, as an aware datetime."""
    return datetime.datetime.combine(day, datetime.time(), tzinfo=site_tz())


def local_day(moment):
    return timezone.localtime(moment, site_tz()).date()


def today():
    return local_day(timezone.now())


def week_start(day):
    return day - datetime.timedelta(days=day.weekday())


def _between(field, day, days=1):
    start = day_start(day)
    return {f"{field}__gte": start, f"{field}__lt": day_start(day + datetime.timedelta(days=days))}


LOCK_KEY = 21_0001  # pg_advisory_xact_lock(key, day): one rollup of a day at a time


@transaction.atomic
def rollup_day(day):
    """Write every rollup row of `day` (a date), replacing what an earlier run wrote. Two runs of the
    same day (the hourly task and a backfill) wait for each other instead of colliding on the rows."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_KEY, day.toordinal()])
    active_ids = _active_day(day)
    _site_day(day, active_ids)
    _category_day(day)
    _topic_facts(day)
    _points_day(day)
    _moderation_facts(day)
    for cohort_day in (day - datetime.timedelta(days=k) for k in range(FUNNEL_DAYS + 1)):
        _signup_day(cohort_day)
    _retention_week(week_start(day))
    _event_facts(day)
    _recall_facts(day)
    _kol_day(day)


def rollup_days(first, last, progress=None):
    """Roll up every day from `first` to `last` (dates, oldest first). `progress(n, total, label)`."""
    total = (last - first).days + 1
    for n in range(total):
        day = first + datetime.timedelta(days=n)
        rollup_day(day)
        if progress:
            progress(n + 1, total, day.isoformat())
    return total


def _active_day(day):
    ids = set(Post.objects.filter(**_between("created_at", day)).values_list("author_id", flat=True).distinct())
    ids |= set(PostVote.objects.filter(**_between("created_at", day)).values_list("user_id", flat=True).distinct())
    ids |= set(CheckIn.objects.filter(day=day).values_list("member_id", flat=True))
    ActiveDay.objects.filter(day=day).delete()
    joined = User.objects.filter(pk__in=ids).values_list("pk", "date_joined")
    ActiveDay.objects.bulk_create(
        [ActiveDay(day=day, member_id=pk, joined_on=local_day(at)) for pk, at in joined], batch_size=5000)
    return ids


def _distinct_active(first, last):
    return ActiveDay.objects.filter(day__gte=first, day__lte=last).values("member_id").distinct().count()


def _site_day(day, active_ids):
    SiteDay.objects.update_or_create(day=day, defaults={
        "dau": len(active_ids),
        "wau": _distinct_active(day - datetime.timedelta(days=6), day),
        "mau": _distinct_active(day - datetime.timedelta(days=29), day),
        "new_members": User.objects.filter(**_between("date_joined", day)).count(),
        "computed_at": timezone.now(),
    })


def _category_day(day):
    rows = {}

    def add(key, field, n):
        rows.setdefault(key or 0, {})[field] = n

    for row in Topic.objects.filter(**_between("created_at", day)).values("category_id").annotate(n=Count("id")):
        add(row["category_id"], "topics", row["n"])
    for row in (Post.objects.filter(**_between("created_at", day), number__gt=1, is_deleted=False)
                .values("topic__category_id").annotate(n=Count("id"))):
        add(row["topic__category_id"], "replies", row["n"])
    for row in Report.objects.filter(**_between("created_at", day)).values("item__category_id").annotate(n=Count("id")):
        add(row["item__category_id"], "reports_filed", row["n"])
    for row in (ModerationItem.objects.filter(**_between("resolved_at", day))
                .values("category_id").annotate(n=Count("id"))):
        add(row["category_id"], "items_handled", row["n"])
    CategoryDay.objects.filter(day=day).delete()
    CategoryDay.objects.bulk_create([CategoryDay(day=day, category_id=k, **v) for k, v in rows.items()])


def _topic_facts(day):
    """Topics opened on `day`, and topics that got a reply on `day` (their first reply may be it)."""
    replied = (Post.objects.filter(**_between("created_at", day), number__gt=1).values("topic_id"))
    topics = list(Topic.objects.filter(Q(**_between("created_at", day)) | Q(pk__in=replied))
                  .values_list("pk", "created_at", "category_id"))
    ids = [pk for pk, _at, _cat in topics]
    firsts = dict(Post.objects.filter(topic_id__in=ids, number__gt=1, is_deleted=False)
                  .exclude(author_id=F("topic__author_id")).values("topic_id")
                  .annotate(first=Min("created_at")).values_list("topic_id", "first"))
    TopicFact.objects.filter(Q(day=day) | Q(topic_id__in=ids)).delete()
    facts = []
    for pk, created, category_id in topics:
        first = firsts.get(pk)
        seconds = max(0, int((first - created).total_seconds())) if first else None
        facts.append(TopicFact(topic_id=pk, day=local_day(created), category_id=category_id,
                               first_reply_seconds=seconds))
    TopicFact.objects.bulk_create(facts, batch_size=5000)


def _points_day(day):
    rows = (PointsEntry.objects.filter(**_between("created_at", day)).values("reason", "category_id")
            .annotate(issued=Sum("amount", filter=Q(amount__gt=0)), spent=Sum("amount", filter=Q(amount__lt=0)),
                      entries=Count("id")))
    merged = {}
    for row in rows:
        key = (row["reason"], row["category_id"] or 0)
        slot = merged.setdefault(key, {"issued": 0, "spent": 0, "entries": 0})
        slot["issued"] += row["issued"] or 0
        slot["spent"] += -(row["spent"] or 0)
        slot["entries"] += row["entries"]
    PointsDay.objects.filter(day=day).delete()
    PointsDay.objects.bulk_create([PointsDay(day=day, reason=reason, category_id=cat, **v)
                                   for (reason, cat), v in merged.items()])


def _moderation_facts(day):
    items = list(ModerationItem.objects.filter(Q(**_between("created_at", day)) | Q(**_between("resolved_at", day)))
                 .values_list("pk", "kind", "category_id", "created_at", "resolved_at"))
    ModerationFact.objects.filter(Q(opened_day=day) | Q(item_id__in=[i[0] for i in items])).delete()
    ModerationFact.objects.bulk_create([
        ModerationFact(item_id=pk, kind=kind, category_id=cat or 0, opened_day=local_day(created),
                       resolved_day=local_day(resolved) if resolved else None,
                       handle_seconds=max(0, int((resolved - created).total_seconds())) if resolved else None)
        for pk, kind, cat, created, resolved in items])


def _signup_day(day):
    members = list(User.objects.filter(**_between("date_joined", day)).values_list("pk", "bio", "avatar"))
    if not members:
        SignupDay.objects.filter(day=day).delete()
        return
    ids = [pk for pk, _bio, _avatar in members]
    verified = set(EmailAddress.objects.filter(user_id__in=ids, verified=True).values_list("user_id", flat=True))
    profile = {pk for pk, bio, avatar in members if (bio or "").strip() or avatar}
    last = day + datetime.timedelta(days=FUNNEL_DAYS)
    posted = set(Post.objects.filter(author_id__in=ids, created_at__lt=day_start(last + DAY))
                 .values_list("author_id", flat=True).distinct())
    returned = set(ActiveDay.objects.filter(member_id__in=ids, day__gt=day, day__lte=last)
                   .values_list("member_id", flat=True).distinct())
    steps = [set(ids)]
    for done in (verified, profile, posted, returned):
        steps.append(steps[-1] & done)
    SignupDay.objects.update_or_create(day=day, defaults=dict(zip(
        ("signed_up", "verified", "profile", "first_post", "returned"), (len(s) for s in steps), strict=True)))


def _retention_week(week):
    """The cells of every cohort that `week` is one of the first COHORT_WEEKS weeks of."""
    week_end = week + datetime.timedelta(days=6)
    for k in range(COHORT_WEEKS):
        cohort = week - datetime.timedelta(weeks=k)
        size = User.objects.filter(date_joined__gte=day_start(cohort),
                                   date_joined__lt=day_start(cohort + datetime.timedelta(days=7))).count()
        RetentionWeek.objects.filter(cohort_week=cohort, week=k).delete()
        if not size:
            continue
        retained = (ActiveDay.objects.filter(day__gte=week, day__lte=week_end, joined_on__gte=cohort,
                                             joined_on__lt=cohort + datetime.timedelta(days=7))
                    .values("member_id").distinct().count())
        RetentionWeek.objects.create(cohort_week=cohort, week=k, members=size, retained=retained)


def _event_facts(day):
    """Events running on `day` or ended within EVENT_RETENTION_DAYS before it (their retention is still counting)."""
    events = Event.objects.filter(starts_at__lt=day_start(day + DAY),
                                  ends_at__gte=day_start(day - datetime.timedelta(days=EVENT_RETENTION_DAYS + 1)))
    for event in events:
        if event.cancelled_at is not None:
            EventFact.objects.filter(event_id=event.pk).delete()
            continue
        first, last = local_day(event.starts_at), local_day(event.ends_at - datetime.timedelta(microseconds=1))
        after = (last + DAY, last + datetime.timedelta(days=EVENT_RETENTION_DAYS))
        participants = EventParticipation.objects.filter(event=event).values("member_id")
        others = (ActiveDay.objects.filter(day__gte=first, day__lte=last).exclude(member_id__in=participants)
                  .values("member_id"))

        def retained(group, after=after):
            return (ActiveDay.objects.filter(member_id__in=group, day__gte=after[0], day__lte=after[1])
                    .values("member_id").distinct().count())

        EventFact.objects.update_or_create(event_id=event.pk, defaults={
            "title": event.title[:120], "starts_day": first, "ends_day": last,
            "participants": participants.count(),
            "new_members": User.objects.filter(pk__in=participants, date_joined__gte=event.starts_at,
                                               date_joined__lt=event.ends_at).count(),
            "posts": EventAction.objects.filter(event=event, kind=EventAction.Kind.POST).count(),
            "participants_retained": retained(participants),
            "others": others.distinct().count(),
            "others_retained": retained(others),
        })


def _recall_facts(day):
    """Every campaign sent by the end of `day` (few rows: recomputed whole)."""
    campaigns = (RecallCampaign.objects.filter(created_at__lt=day_start(day + DAY))
                 .annotate(n=Count("recipients"), back=Count("recipients", filter=Q(recipients__returned_at__isnull=False)),
                           bonus=Sum("recipients__bonus_awarded")))
    for c in campaigns:
        RecallFact.objects.update_or_create(campaign_id=c.pk, defaults={
            "name": c.name[:120], "sent_day": local_day(c.created_at), "recipients": c.n, "returned": c.back,
            "bonus_points": c.bonus or 0})


def _kol_day(day):
    end = day_start(day + DAY)
    cfg = kol_conf.config()
    decisions = KolDecision.objects.filter(decided_at__lt=end)
    blocking = decisions.filter(Q(kind__in=[KolDecision.Kind.ACCEPTED, KolDecision.Kind.DISMISSED])
                                | Q(kind=KolDecision.Kind.SNOOZED, until__gt=end))
    counts = {"proposed": 0, "accepted": 0, "snoozed": 0, "dismissed": 0}
    run = (KolRun.objects.filter(day__lte=day, window_days=cfg["WINDOW_DAYS"], category_key=0,
                                 status=KolRun.Status.DONE).order_by("-day").first())
    if run is not None:
        counts["proposed"] = len(KolScore.objects.filter(run=run).exclude(member_id__in=blocking.values("member_id"))
                                 .exclude(member__groups__name=cfg["GROUP"])
                                 .values_list("pk", flat=True)[: cfg["CANDIDATES"]])
    for row in decisions.values("kind").annotate(n=Count("member_id")):
        if row["kind"] == KolDecision.Kind.SNOOZED:
            continue
        counts[row["kind"]] = row["n"]
    counts["snoozed"] = decisions.filter(kind=KolDecision.Kind.SNOOZED, until__gt=end).count()
    KolDay.objects.filter(day=day).delete()
    KolDay.objects.bulk_create([KolDay(day=day, state=k, count=v) for k, v in counts.items()])

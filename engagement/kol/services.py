"""KOL writes: a scoring run (a snapshot of ranked members) and the moderators' decisions on
candidates (accept into the KOL programme, dismiss, snooze, restore)."""

import datetime
import logging
import time

from django.contrib.auth.models import Group
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import AuditReasonMissing, audit_record, clean_reason
from engagement.badges.models import Badge, MemberBadge
from engagement.badges.services import badge_grant
from forum.errors import Conflict, InvalidInput
from forum.models import Category, Notification, User
from forum.services import notification_create

from . import conf, permissions
from .models import KolDecision, KolRun, KolScore

logger = logging.getLogger(__name__)


def _window(day, window_days):
    """[start, end) in the site's time zone: the `window_days` days that end with `day`."""
    tz = timezone.get_current_timezone()
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), tzinfo=tz)
    return end - datetime.timedelta(days=window_days), end


def _clean_window(window_days):
    try:
        window_days = int(window_days)
    except (TypeError, ValueError):
        window_days = 0
    if not 1 <= window_days <= 365:
        raise InvalidInput(_("The window is a whole number of days from 1 to 365."), field="window_days")
    return window_days


def _blocked_ids(at):
    """Members not to propose: the KOL programme, dismissed, snoozed until after `at`."""
    cfg = conf.config()
    in_group = User.objects.filter(groups__name=cfg["GROUP"]).values_list("id", flat=True)
    decided = KolDecision.objects.exclude(kind=KolDecision.Kind.SNOOZED, until__lte=at).values_list(
        "member_id", flat=True)
    import numpy as np  # scoring code only: web workers never load numpy

    return np.array(sorted(set(in_group) | set(decided)), dtype=np.int64)


def kol_scores_compute(*, day=None, window_days=None, category=None, progress=None):
    """Score every member over the window ending with `day` (today, site time) and store the
    snapshot: the STORE best-ranked eligible members with their score, rank, change since the
    previous run of the same window and category, and their top signals. Running it again for the
    same day, window and category replaces that snapshot (idempotent)."""
    from . import scoring, sql  # numpy and scipy load here, in Celery or a command, not on web workers

    cfg = conf.config()
    day = day or timezone.localdate()
    window_days = _clean_window(cfg["WINDOW_DAYS"] if window_days is None else window_days)
    start, end = _window(day, window_days)
    category_key = category.pk if category else 0
    started = time.monotonic()
    with transaction.atomic():
        run, _created = KolRun.objects.update_or_create(
            day=day, window_days=window_days, category_key=category_key,
            defaults={"category": category, "window_start": start, "window_end": end,
                      "status": KolRun.Status.RUNNING, "started_at": timezone.now(), "finished_at": None,
                      "error": ""},
        )
    try:
        with sql.work_mem(256):  # the hash joins stay in memory
            result = scoring.compute(start=start, end=end, category_id=category_key or None, progress=progress)
        with transaction.atomic():
            _store(run, result, cfg, timezone.now())
            run.status = KolRun.Status.DONE
            run.finished_at = timezone.now()
            run.seconds = round(time.monotonic() - started, 3)
            run.members_scored = int((result.score > 0).sum())
            run.seed_mode, run.seed_count = result.seed_mode, result.seed_count
            run.params = {"weights": cfg["WEIGHTS"], "references": cfg["REFERENCES"], "timings": result.timings,
                          "reciprocal_weight": cfg["RECIPROCAL_WEIGHT"], "damping": cfg["DAMPING"],
                          "devotion": [cfg["DEVOTION_PRIOR"], cfg["DEVOTION_FREE"]],
                          "cluster": [cfg["CLUSTER_FREE"], cfg["CLUSTER_FULL"]], "trust_floor": cfg["TRUST_FLOOR"]}
            run.save()
    except Exception as error:
        logger.exception("KOL scoring run %s failed", run.pk)
        KolRun.objects.filter(pk=run.pk).update(status=KolRun.Status.FAILED, error=str(error)[:2000],
                                                finished_at=timezone.now())
        raise
    return run


CLOSED_GROUP = "closed_group"  # the reason code: most engagement came from a group that mostly engages with itself


def candidates_mask(result, cfg):
    """Who may be proposed: active members with enough distinct upvoters and a score, never staff,
    moderators or bots (decisions and the KOL programme are applied by the caller)."""
    return (result.active & ~result.excluded & (result.raw["distinct_voters"] >= cfg["MIN_DISTINCT_VOTERS"])
            & (result.score > 0))


def reasons_of(result, i):
    """The reason codes of member index `i`, most telling first: the closed group when more than half of
    their engagement was discounted for coming from one, then their top signals (at least one)."""
    import numpy as np

    from . import scoring

    names = list(scoring.SIGNALS)
    points = np.array([result.components[s][i] for s in names])
    order = np.argsort(-points, kind="stable")
    top = [names[j] for j in order[:3] if points[j] >= 0.5] or [names[order[0]]]
    if result.raw["closed_share"][i] > 0.5:
        top = [CLOSED_GROUP, *top]
    return top


def _store(run, result, cfg, at):
    import numpy as np

    from . import scoring

    ids, score = result.member_ids, result.score
    eligible = candidates_mask(result, cfg) & ~np.isin(ids, _blocked_ids(at))
    idx = np.flatnonzero(eligible)
    order = idx[np.lexsort((ids[idx], -score[idx]))][: cfg["STORE"]]
    previous = (KolRun.objects.filter(window_days=run.window_days, category_key=run.category_key,
                                      status=KolRun.Status.DONE, day__lt=run.day).order_by("-day").first())
    before = {}
    if previous is not None:
        before = {m: (r, s) for m, r, s in KolScore.objects.filter(
            run=previous, member_id__in=ids[order].tolist()).values_list("member_id", "rank", "score")}
    KolScore.objects.filter(run=run).delete()
    rows = []
    comp_names = list(scoring.SIGNALS)
    for position, i in enumerate(order.tolist()):
        member_id = int(ids[i])
        signals = {
            "distinct_voters": int(result.raw["distinct_voters"][i]),
            "weighted_voters": round(float(result.raw["voters"][i]), 2),
            "distinct_repliers": int(result.raw["distinct_repliers"][i]),
            "replies_drawn": int(result.raw["replies_drawn"][i]),
            "featured": int(result.raw["featured"][i]),
            "active_days": int(result.raw["active_days"][i]),
            "influence": round(float(result.raw["influence"][i]), 2),
            "closed_share": round(float(result.raw["closed_share"][i]), 2),
            "points": {name: round(float(result.components[name][i]), 2) for name in comp_names},
        }
        prev = before.get(member_id)
        rows.append(KolScore(run=run, member_id=member_id, rank=position + 1, score=round(float(score[i]), 2),
                             previous_rank=prev[0] if prev else None, previous_score=prev[1] if prev else None,
                             signals=signals, reasons=reasons_of(result, i)))
    KolScore.objects.bulk_create(rows, batch_size=1000)


def kol_scores_compute_all(*, day=None, progress=None):
    """What the beat task runs: every configured period over all categories, and (PER_CATEGORY)
    the default window per category."""
    cfg = conf.config()
    runs = [kol_scores_compute(day=day, window_days=w, progress=progress) for w in cfg["PERIODS"]]
    if cfg["PER_CATEGORY"]:
        for category in Category.objects.order_by("pk"):
            runs.append(kol_scores_compute(day=day, window_days=cfg["WINDOW_DAYS"], category=category,
                                           progress=progress))
    return runs


# --- decisions -----------------------------------------------------------------------------------
def _reason(reason):
    try:
        return clean_reason(reason)
    except AuditReasonMissing:
        raise InvalidInput(_("Say why: a reason is required."), field="reason") from None


def _latest_score(member):
    return KolScore.objects.filter(member=member, run__status=KolRun.Status.DONE).order_by("-run__day", "-id").first()


def _decide(*, actor, member, kind, reason, until=None, data=None):
    permissions.check_manage_kol(actor)
    reason = _reason(reason)
    current = KolDecision.objects.select_for_update().filter(member=member).first()
    if current is not None and current.kind == kind and kind != KolDecision.Kind.SNOOZED:
        raise Conflict(_("%(member)s is already %(kind)s.") % {"member": member.name, "kind": current.get_kind_display()})
    decision, _created = KolDecision.objects.update_or_create(
        member=member, defaults={"kind": kind, "until": until, "reason": reason, "decided_by": actor,
                                 "decided_at": timezone.now(), "score": _latest_score(member)})
    audit_record(actor=actor, action=f"kol.{kind}", reason=reason, target=decision, subject=member,
                 data={"until": until.isoformat() if until else None,
                       "score": decision.score.score if decision.score else None, **(data or {})})
    return decision


@transaction.atomic
def kol_accept(*, actor, member, reason):
    """Invite a member into the KOL programme: the KOL group, the KOL badge, a notification."""
    cfg = conf.config()
    if not member.is_active:
        raise InvalidInput(_("This account is not active."))
    badge = Badge.objects.filter(slug=cfg["BADGE_SLUG"], is_active=True).first()
    grant = badge is not None and not MemberBadge.objects.filter(member=member, badge=badge,
                                                                 revoked_at__isnull=True).exists()
    # one action, one audit entry: the decision's entry names the badge it granted
    decision = _decide(actor=actor, member=member, kind=KolDecision.Kind.ACCEPTED, reason=reason,
                       data={"badge_granted": badge.slug if grant else None})
    group, _created = Group.objects.get_or_create(name=cfg["GROUP"])
    member.groups.add(group)
    if grant:
        badge_grant(actor=actor, member=member, badge=badge, reason=reason, audited=False)
    notification_create(
        recipient=member, kind=Notification.Kind.SYSTEM, actor=actor,
        message=_("You are invited to the KOL programme: thank you for the discussions you start!"),
        url=reverse("forum:member", args=[member.username]),
    )
    return decision


@transaction.atomic
def kol_dismiss(*, actor, member, reason):
    """Not a KOL: never proposed again unless a moderator restores the member."""
    return _decide(actor=actor, member=member, kind=KolDecision.Kind.DISMISSED, reason=reason)


@transaction.atomic
def kol_snooze(*, actor, member, reason, days=None):
    """Not now: proposed again after `days` (default SNOOZE_DAYS)."""
    try:
        days = int(days if days not in (None, "") else conf.config()["SNOOZE_DAYS"])
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= 365:
        raise InvalidInput(_("Snooze for 1 to 365 days."), field="days")
    return _decide(actor=actor, member=member, kind=KolDecision.Kind.SNOOZED, reason=reason,
                   until=timezone.now() + datetime.timedelta(days=days))


@transaction.atomic
def kol_restore(*, actor, member, reason):
    """Undo a dismissal or snooze: the member may be proposed again by the next run."""
    permissions.check_manage_kol(actor)
    reason = _reason(reason)
    decision = KolDecision.objects.select_for_update().filter(member=member).first()
    if decision is None or decision.kind == KolDecision.Kind.ACCEPTED:
        raise Conflict(_("%(member)s is neither dismissed nor snoozed.") % {"member": member.name})
    audit_record(actor=actor, action="kol.restore", reason=reason, target=decision, subject=member,
                 data={"was": decision.kind})
    decision.delete()

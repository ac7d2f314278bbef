"""Reads for the KOL candidate queue and a member's score history."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from forum.models import Category, User

from . import conf
from .models import KolDecision, KolRun, KolScore

HISTORY_RUNS = 12


def periods():
    cfg = conf.config()
    return sorted(set(cfg["PERIODS"]) | {cfg["WINDOW_DAYS"]})


def score_reasons(score):
    """The score's top contributing signals, in words, best first; then the others that count."""
    s = score.signals or {}
    words = {
        "voters": ngettext("%(n)d distinct member upvoted", "%(n)d distinct members upvoted",
                           s.get("distinct_voters", 0)) % {"n": s.get("distinct_voters", 0)},
        "repliers": ngettext("%(n)d distinct member replied to them", "%(n)d distinct members replied to them",
                             s.get("distinct_repliers", 0)) % {"n": s.get("distinct_repliers", 0)},
        "provoked": ngettext("their topics drew %(n)d reply", "their topics drew %(n)d replies",
                             s.get("replies_drawn", 0)) % {"n": s.get("replies_drawn", 0)},
        "featured": ngettext("%(n)d featured post", "%(n)d featured posts", s.get("featured", 0))
        % {"n": s.get("featured", 0)},
        "active_days": ngettext("active on %(n)d day", "active on %(n)d days", s.get("active_days", 0))
        % {"n": s.get("active_days", 0)},
        "influence": _("trusted members' votes and replies reach them %(x)s× as much as an average member")
        % {"x": f"{s.get('influence', 0):.1f}"},
        # the marked-down reason (engagement.kol.services.CLOSED_GROUP): a ring, a swarm, mutual voting
        "closed_group": _("most of this engagement comes from a group that mostly engages with itself"),
    }
    order = list(score.reasons or [])
    points = s.get("points", {})
    order += [k for k in sorted(points, key=lambda k: -points[k]) if k not in order and points[k] >= 0.5]
    return [words[k] for k in order if k in words]


def run_latest(*, window_days, category=None):
    return (KolRun.objects.filter(window_days=window_days, category_key=category.pk if category else 0,
                                  status=KolRun.Status.DONE)
            .select_related("category").order_by("-day").first())


def _blocking_q(at):
    return Q(kind__in=[KolDecision.Kind.ACCEPTED, KolDecision.Kind.DISMISSED]) | Q(
        kind=KolDecision.Kind.SNOOZED, until__gt=at)


def kol_candidates(*, window_days, category=None, limit=None):
    """The latest snapshot of the period and category, and its best CANDIDATES members that no
    decision blocks now (a member accepted, dismissed or snoozed after the run drops out at
    once), each with its score history over the last runs (for the sparkline)."""
    cfg = conf.config()
    run = run_latest(window_days=window_days, category=category)
    if run is None:
        return None, []
    now = timezone.now()
    blocked = KolDecision.objects.filter(_blocking_q(now)).values("member_id")
    scores = list(
        KolScore.objects.filter(run=run).exclude(member_id__in=blocked).exclude(member__groups__name=cfg["GROUP"])
        .select_related("member").order_by("rank")[: limit or cfg["CANDIDATES"]]
    )
    histories = score_histories(member_ids=[s.member_id for s in scores], window_days=window_days,
                                category_key=run.category_key)
    for s in scores:
        s.words = score_reasons(s)
        s.history = histories.get(s.member_id, [])
    return run, scores


def score_histories(*, member_ids, window_days, category_key, runs=HISTORY_RUNS):
    """member id -> [(day, score or None, rank or None)] over the last `runs` runs (one query each
    for the runs and the scores)."""
    recent = list(KolRun.objects.filter(window_days=window_days, category_key=category_key,
                                        status=KolRun.Status.DONE).order_by("-day")
                  .values_list("pk", "day")[:runs])[::-1]
    found = {}
    for member_id, run_id, score, rank in KolScore.objects.filter(
            run_id__in=[pk for pk, _day in recent], member_id__in=member_ids).values_list(
            "member_id", "run_id", "score", "rank"):
        found[(member_id, run_id)] = (score, rank)
    return {m: [(day, *found.get((m, pk), (None, None))) for pk, day in recent] for m in member_ids}


def kol_member(*, member, window_days, category=None):
    key = category.pk if category else 0
    history = score_histories(member_ids=[member.pk], window_days=window_days, category_key=key, runs=60)[member.pk]
    latest = (KolScore.objects.filter(member=member, run__window_days=window_days, run__category_key=key,
                                      run__status=KolRun.Status.DONE)
              .select_related("run").order_by("-run__day").first())
    if latest is not None:
        latest.words = score_reasons(latest)
    decision = KolDecision.objects.filter(member=member).select_related("decided_by").first()
    return {"history": history, "latest": latest, "decision": decision}


def kol_decisions(*, kind=""):
    qs = KolDecision.objects.select_related("member", "decided_by").order_by("-decided_at")
    if kind in KolDecision.Kind.values:
        qs = qs.filter(kind=kind)
    return qs


def categories():
    return Category.objects.order_by("position", "pk")


def member_by_username(username):
    return User.objects.filter(username=username).first()

"""Reads of lotteries: the page, the member's own entry, the winners and the public audit document."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone

from . import draw, permissions
from .models import Lottery, LotteryEntry


def lottery_get(*, lottery_id, user):
    lottery = get_object_or_404(Lottery.objects.select_related("topic__category", "created_by"), pk=lottery_id)
    permissions.check_view_lottery(user, lottery)
    return lottery


def my_entry(*, lottery, user):
    if not user.is_authenticated:
        return None
    return LotteryEntry.objects.filter(lottery=lottery, member=user).first()


def winner_entries(*, lottery):
    """The winners' entries in draw order, with their members."""
    return list(LotteryEntry.objects.filter(lottery=lottery, win_rank__isnull=False)
                .select_related("member").order_by("win_rank"))


def recent_entries(*, lottery, limit=50):
    return list(LotteryEntry.objects.filter(lottery=lottery).select_related("member").order_by("-number")[:limit])


def tickets(*, lottery):
    """Every ticket in ascending number (the `entries` of huoli-draw-v1)."""
    return list(LotteryEntry.objects.filter(lottery=lottery).order_by("number").values_list("ticket", flat=True))


def lottery_audit(*, lottery):
    """The public audit document, exactly the keys published at /lotteries/<id>/audit.json.
    The server seed and public salt stay null, and winners empty, until the draw."""
    entries = tickets(lottery=lottery)
    drawn = lottery.state == Lottery.State.DRAWN
    return {
        "algorithm": draw.ALGORITHM,
        "lottery_id": lottery.pk,
        "winners_count": lottery.winners_count,
        "seed_commitment": lottery.seed_commitment,
        "salt_source": lottery.salt_source,
        "public_salt": lottery.public_salt if drawn else None,
        "server_seed": lottery.server_seed if drawn else None,
        "entries": entries,
        "entries_digest": lottery.entries_digest if drawn else draw.digest_of(entries),
        "winners": list(lottery.winners) if drawn else [],
        "drawn_at": lottery.drawn_at.isoformat() if drawn and lottery.drawn_at else None,
    }


def lotteries_due(*, now=None):
    """Open lotteries whose entry window has ended (the sweep closes and, with no salt, draws them)."""
    now = now or timezone.now()
    return list(Lottery.objects.filter(state=Lottery.State.OPEN, closes_at__lte=now).values_list("pk", flat=True))


def lotteries_with_my_entries(*, lotteries, user):
    """Attach .my_entry to each lottery (one query)."""
    lotteries = list(lotteries)
    mine = {}
    if user.is_authenticated and lotteries:
        mine = {e.lottery_id: e for e in LotteryEntry.objects.filter(lottery__in=lotteries, member=user)}
    for lottery in lotteries:
        lottery.my_entry = mine.get(lottery.pk)
    return lotteries


def lotteries_with_winners(lotteries):
    return Lottery.objects.filter(pk__in=[x.pk for x in lotteries]).prefetch_related(
        Prefetch("entries", queryset=LotteryEntry.objects.filter(win_rank__isnull=False)
                 .select_related("member").order_by("win_rank"), to_attr="winner_entries"))


def lottery_cards(*, lotteries, user):
    """Lotteries as cards (a topic's page, the live fragment): each with .my_entry (the reader's)
    and .winner_entries (drawn ones, in draw order, with members). At most three queries whatever
    the number of lotteries, entries or winners: the reader's entries, and the winners when any
    lottery is drawn (the lotteries themselves are the caller's)."""
    lotteries = lotteries_with_my_entries(lotteries=lotteries, user=user)
    drawn = [x.pk for x in lotteries if x.is_drawn]
    winners = {}
    if drawn:
        for entry in (LotteryEntry.objects.filter(lottery_id__in=drawn, win_rank__isnull=False)
                      .select_related("member").order_by("lottery_id", "win_rank")):
            winners.setdefault(entry.lottery_id, []).append(entry)
    for lottery in lotteries:
        lottery.winner_entries = winners.get(lottery.pk, [])
    return lotteries


def lotteries_for_topic(*, topic, user):
    """The lotteries announced in a topic (the caller checked the topic may be read), oldest
    closing first, as cards."""
    lotteries = list(Lottery.objects.filter(topic_id=topic.pk).order_by("closes_at", "id"))
    for lottery in lotteries:
        lottery.topic = topic
    return lottery_cards(lotteries=lotteries, user=user)

"""What lotteries add to the forum's pages through forum.hooks (connected in
engagement/lotteries/hooks.py): the "lottery" section of the topic page, a card for each lottery
announced in the topic (entering included). Only topics whose Topic.sections carry "lottery" (kept
by services._sync_topic_section) pay for it."""

from django.template.loader import render_to_string

from . import selectors
from .services import LOTTERY_SECTION

SECTION_KEY = LOTTERY_SECTION


def render_topic_lotteries(request, topic):
    lotteries = selectors.lotteries_for_topic(topic=topic, user=request.user)
    if not lotteries:
        return ""
    return render_to_string("lotteries/topic_lotteries.html", {"topic": topic, "lotteries": lotteries},
                            request=request)


def card_state(lottery):
    """Everything a card shows of a lottery to its reader (the fragment's ETag)."""
    entry = lottery.my_entry
    return (lottery.pk, lottery.title, lottery.prize, lottery.phase, lottery.state, lottery.entry_count,
            lottery.winners_count, lottery.opens_at, lottery.closes_at, lottery.points_cost, lottery.min_level,
            lottery.require_reply, lottery.topic_id, bool(lottery.prize_image),
            lottery.cancel_reason, (entry.ticket, entry.win_rank) if entry else None,
            [(e.ticket, e.member.name) for e in lottery.winner_entries])

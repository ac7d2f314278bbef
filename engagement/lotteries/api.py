"""Lotteries in the JSON API (/api/v1/): a lottery as the reader may see it (with the reader's
entry and, once drawn, the winners), entering, and the public audit document of huoli-draw-v1
(the same keys as /lotteries/<id>/audit.json). The same selectors, services and permission checks
as the pages: 403 not eligible, 404 unknown or unreadable, 409 closed / not open / already
entered / cancelled / too few points, in the API's error envelope."""

from datetime import datetime

from ninja import Field, Router, Schema, Status

from engagement.polls.api import MemberRef, TopicRef, member_ref
from forum.api_schemas import ANONYMOUS_OK, READ_ERRORS, WRITE_ERRORS
from forum.api_schemas import OBJECT_ID as ID
from forum.tokens import MEMBER_AUTH, READ_AUTH

from . import selectors, services

router = Router(tags=["lotteries"])


class MyEntryOut(Schema):
    number: int
    ticket: str
    created_at: datetime
    won: bool | None = Field(None, description="null until the draw")
    win_rank: int | None = None


class WinnerOut(Schema):
    rank: int
    ticket: str
    member: MemberRef


class LotteryOut(Schema):
    id: int
    title: str
    prize: str
    prize_image_url: str | None = None
    url: str
    audit_url: str
    topic: TopicRef | None = None
    winners_count: int
    opens_at: datetime
    closes_at: datetime
    phase: str = Field(description="upcoming, open, closed (waiting for the draw), drawn or cancelled")
    require_reply: bool
    min_level: int
    points_cost: int
    salt_source: str
    seed_commitment: str
    entry_count: int
    cancel_reason: str | None = None
    drawn_at: datetime | None = None
    my_entry: MyEntryOut | None = None
    winners: list[WinnerOut] = Field(description="in draw order; empty until the draw")


class LotteryEntryOut(Schema):
    lottery_id: int
    number: int
    ticket: str
    points_spent: int


class AuditOut(Schema):
    algorithm: str
    lottery_id: int
    winners_count: int
    seed_commitment: str
    salt_source: str
    public_salt: str | None = None
    server_seed: str | None = None
    entries: list[str]
    entries_digest: str
    winners: list[str]
    drawn_at: str | None = None


def lottery_out(lottery):
    """A lottery with .my_entry and .winner_entries (engagement.lotteries.selectors.lottery_cards)."""
    entry = lottery.my_entry
    url = lottery.get_absolute_url()
    return {
        "id": lottery.pk, "title": lottery.title, "prize": lottery.prize,
        "prize_image_url": lottery.prize_image.url if lottery.prize_image else None,
        "url": url, "audit_url": url + "audit.json",
        "topic": ({"id": lottery.topic.pk, "title": lottery.topic.title, "url": lottery.topic.get_absolute_url()}
                  if lottery.topic_id else None),
        "winners_count": lottery.winners_count, "opens_at": lottery.opens_at, "closes_at": lottery.closes_at,
        "phase": lottery.phase, "require_reply": lottery.require_reply, "min_level": lottery.min_level,
        "points_cost": lottery.points_cost, "salt_source": lottery.salt_source,
        "seed_commitment": lottery.seed_commitment, "entry_count": lottery.entry_count,
        "cancel_reason": lottery.cancel_reason or None, "drawn_at": lottery.drawn_at if lottery.is_drawn else None,
        "my_entry": ({"number": entry.number, "ticket": entry.ticket, "created_at": entry.created_at,
                      "won": bool(entry.win_rank) if lottery.is_drawn else None, "win_rank": entry.win_rank}
                     if entry else None),
        "winners": [{"rank": e.win_rank, "ticket": e.ticket, "member": member_ref(e.member)}
                    for e in lottery.winner_entries],
    }


def _detail(lottery_id, user):
    lottery = selectors.lottery_get(lottery_id=lottery_id, user=user)
    return lottery_out(selectors.lottery_cards(lotteries=[lottery], user=user)[0])


@router.get("/lotteries/{lottery_id}", response={200: LotteryOut, **READ_ERRORS}, auth=READ_AUTH,
            openapi_extra=ANONYMOUS_OK, summary="A lottery, the reader's entry and (once drawn) the winners")
def lottery_detail(request, lottery_id: int = ID):
    return _detail(lottery_id, request.auth)


@router.post("/lotteries/{lottery_id}/enter", response={201: LotteryEntryOut, **WRITE_ERRORS}, auth=MEMBER_AUTH,
             summary="Enter the lottery (spends its points cost, refunded if it is cancelled)")
def lottery_enter(request, lottery_id: int = ID):
    lottery = selectors.lottery_get(lottery_id=lottery_id, user=request.auth)
    entry = services.lottery_enter(actor=request.auth, lottery=lottery)
    spent = -entry.points_entry.amount if entry.points_entry_id else 0
    return Status(201, {"lottery_id": lottery.pk, "number": entry.number, "ticket": entry.ticket,
                        "points_spent": spent})


@router.get("/lotteries/{lottery_id}/audit", response={200: AuditOut, **READ_ERRORS}, auth=READ_AUTH,
            openapi_extra=ANONYMOUS_OK,
            summary="The public audit document of huoli-draw-v1 (as /lotteries/<id>/audit.json)")
def lottery_audit(request, lottery_id: int = ID):
    lottery = selectors.lottery_get(lottery_id=lottery_id, user=request.auth)
    return selectors.lottery_audit(lottery=lottery)


def register(api):
    api.add_router("/", router)
    return api

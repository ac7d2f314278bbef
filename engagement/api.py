"""Engagement's part of the JSON API (/api/v1/): points balance and history, check-in,
leaderboards and badges. Same authentication (personal token or session + CSRF) and the same
error envelope as the forum's routes (installed by forum.api.register)."""

from datetime import date, datetime

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from forum.api_schemas import ANONYMOUS_OK, READ_ERRORS, ErrorOut, api_errors
from forum.errors import InvalidInput
from forum.selectors import category_get, member_get
from forum.tokens import MEMBER_AUTH, READ_AUTH

from .badges import selectors as badge_selectors
from .checkin import selectors as checkin_selectors
from .checkin import services as checkin_services
from .leaderboards import selectors as board_selectors
from .levels.selectors import level_progress, member_level
from .points import permissions as points_permissions
from .points import selectors as points_selectors

router = Router(tags=["engagement"])
WRITE_ERRORS = api_errors(400, 401, 403, 409, 422, 429)


class LevelOut(Schema):
    number: int
    name: str
    color: str


class MemberOut(Schema):
    username: str
    name: str
    url: str
    level: LevelOut | None = None


class PointsOut(Schema):
    member: MemberOut
    balance: int
    lifetime_earned: int
    next_level: LevelOut | None = None
    points_to_next_level: int
    progress_percent: int


class PointsEntryOut(Schema):
    id: int
    created_at: datetime
    amount: int
    kind: str
    reason: str
    note: str
    balance_after: int
    source_url: str
    reverses: int | None = None


class HistoryOut(Schema):
    page: int
    pages: int
    count: int
    results: list[PointsEntryOut]


class CheckinStatusOut(Schema):
    today: date
    checked_in_today: bool
    can_make_up: bool
    makeup_cost: int
    makeup_cards: int = Field(0, description="make-up cards bought in the shop and not used yet (a make-up uses one before points)")
    current_streak: int
    longest_streak: int
    total_days: int
    checked_in_today_count: int


class CheckinOut(Schema):
    day: date
    streak: int
    points: int
    is_makeup: bool


class RankRowOut(Schema):
    rank: int
    member: MemberOut
    value: int


class MyRankOut(Schema):
    rank: int
    value: int


class LeaderboardOut(Schema):
    board: str
    period: str | None = None
    category: str | None = None
    results: list[RankRowOut]
    me: MyRankOut | None = None


class BadgeOut(Schema):
    slug: str
    name: str
    description: str
    icon: str
    rule: str
    url: str


class MemberBadgeOut(Schema):
    badge: BadgeOut
    granted_at: datetime


def _level(level):
    return {"number": level.number, "name": level.name, "color": level.color} if level and level.number else None


def _member(user):
    return {"username": user.username, "name": user.name, "url": user.get_absolute_url(),
            "level": _level(member_level(user))}


def _badge(badge):
    return {"slug": badge.slug, "name": badge.name, "description": badge.description, "icon": badge.icon,
            "rule": badge.rule, "url": badge.get_absolute_url()}


def _points(member):
    account = points_selectors.account_get(member=member)
    progress = level_progress(member=member)
    return {"member": _member(member), "balance": account.balance, "lifetime_earned": account.lifetime_earned,
            "next_level": _level(progress["next"]), "points_to_next_level": progress["needed"],
            "progress_percent": progress["percent"]}


# --- points ------------------------------------------------------------------------------------
@router.get("/points/me", response={200: PointsOut, **READ_ERRORS}, auth=MEMBER_AUTH, summary="My points")
def my_points(request):
    return _points(request.auth)


@router.get("/points/me/history", response={200: HistoryOut, **READ_ERRORS}, auth=MEMBER_AUTH,
            summary="My points history, newest first")
def my_history(request, page: int = Query(1, ge=1)):
    page_obj = points_selectors.points_history(member=request.auth, page=page)
    return {
        "page": page_obj.number, "pages": page_obj.paginator.num_pages, "count": page_obj.paginator.count,
        "results": [
            {"id": e.pk, "created_at": e.created_at, "amount": e.amount, "kind": e.kind, "reason": e.reason,
             "note": e.note, "balance_after": e.balance_after, "source_url": points_selectors.source_url(e),
             "reverses": e.reverses_id}
            for e in page_obj.object_list
        ],
    }


@router.get("/points/{username}", response={200: PointsOut, **READ_ERRORS}, auth=READ_AUTH,
            openapi_extra=ANONYMOUS_OK, summary="A member's balance, lifetime earned and level")
def member_points(request, username: str):
    return _points(member_get(username=username))


@router.get("/points/{username}/history", response={200: HistoryOut, **READ_ERRORS}, auth=MEMBER_AUTH,
            summary="A member's history (the member and moderators only)")
def member_history(request, username: str, page: int = Query(1, ge=1)):
    member = member_get(username=username)
    points_permissions.check_view_points_history(request.auth, member)
    request.auth = member
    return my_history(request, page=page)


# --- check-in ----------------------------------------------------------------------------------
def _status(member):
    status = checkin_selectors.checkin_status(member=member)
    return {
        "today": status["today"], "checked_in_today": status["checked_in_today"],
        "can_make_up": status["can_make_up"], "makeup_cost": status["makeup_cost"],
        "makeup_cards": status["makeup_cards"],
        "current_streak": status["current_streak"], "longest_streak": status["longest_streak"],
        "total_days": status["total_days"], "checked_in_today_count": checkin_selectors.checkin_count_today(),
    }


@router.get("/checkin", response={200: CheckinStatusOut, **READ_ERRORS}, auth=MEMBER_AUTH,
            summary="My check-in status today")
def checkin_status(request):
    return _status(request.auth)


@router.post("/checkin", response={201: CheckinOut, **WRITE_ERRORS}, auth=MEMBER_AUTH,
             summary="Check in for today (409 if already done)")
def checkin(request):
    row = checkin_services.checkin_today(actor=request.auth)
    return Status(201, row)


@router.post("/checkin/makeup", response={201: CheckinOut, **WRITE_ERRORS}, auth=MEMBER_AUTH,
             summary="Make up yesterday's check-in (补签), paying points")
def checkin_makeup(request):
    row = checkin_services.checkin_makeup(actor=request.auth)
    return Status(201, row)


# --- leaderboards --------------------------------------------------------------------------------
@router.get("/leaderboard", response={200: LeaderboardOut, 400: ErrorOut, **READ_ERRORS}, auth=READ_AUTH,
            openapi_extra=ANONYMOUS_OK, summary="Points (week, month, all) or check-in streak leaderboards")
def leaderboard(request, board: str = "points", period: str = "week", category: str = "", kind: str = "current"):
    viewer = request.auth
    if board == "streak":
        if kind not in board_selectors.STREAK_BOARDS:
            raise InvalidInput(_("kind is current or longest."), field="kind")
        result = board_selectors.streak_leaderboard(board=kind, viewer=viewer)
        out = {"board": f"streak_{kind}"}
    elif board == "points":
        if period not in board_selectors.PERIODS:
            raise InvalidInput(_("period is week, month or all."), field="period")
        cat = category_get(slug=category, user=viewer) if category else None
        result = board_selectors.points_leaderboard(period=period, category=cat, viewer=viewer)
        out = {"board": "points", "period": period, "category": cat.slug if cat else None}
    else:
        raise InvalidInput(_("board is points or streak."), field="board")
    out["results"] = [{"rank": r["rank"], "member": _member(r["member"]), "value": r["value"]} for r in result["rows"]]
    out["me"] = {"rank": result["me"][0], "value": result["me"][1]} if result["me"] else None
    return out


# --- badges --------------------------------------------------------------------------------------
@router.get("/badges", response={200: list[BadgeOut], **READ_ERRORS}, auth=READ_AUTH, openapi_extra=ANONYMOUS_OK,
            summary="Every active badge")
def badges(request):
    return [_badge(b) for b in badge_selectors.badge_list()]


@router.get("/badges/of/{username}", response={200: list[MemberBadgeOut], **READ_ERRORS}, auth=READ_AUTH,
            openapi_extra=ANONYMOUS_OK, summary="The badges a member holds")
def member_badges(request, username: str):
    member = member_get(username=username)
    return [{"badge": _badge(mb.badge), "granted_at": mb.granted_at}
            for mb in badge_selectors.member_badges(member=member)]


def register(api):
    api.add_router("/", router)
    return api

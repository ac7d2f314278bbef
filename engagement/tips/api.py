"""Tips in the JSON API: tip a post (201 new, 200 the same request key again) and the tips a post
received. Same service and checks as everywhere: 403 level gate / own post, 409 daily cap or too few
points, 400 amount out of bounds."""

from datetime import datetime

from ninja import Field, Router, Schema, Status

from forum.api_schemas import ANONYMOUS_OK, READ_ERRORS, WRITE_ERRORS
from forum.api_schemas import OBJECT_ID as ID
from forum.tokens import MEMBER_AUTH, READ_AUTH

from . import selectors, services

router = Router(tags=["tips"])


class TipsIn(Schema):
    amount: int = Field(ge=1, description="points; bounds and the per-day cap come from settings.HUOLI_TIPS")
    request_key: str = Field(min_length=1, max_length=64)


class TipsOut(Schema):
    id: int
    post_id: int
    tipper: str
    amount: int
    created_at: datetime


class TipsTotalOut(Schema):
    post_id: int
    total: int
    tips: list[TipsOut]


def tip_out(tip):
    return {"id": tip.pk, "post_id": tip.post_id, "tipper": tip.tipper.username, "amount": tip.amount,
            "created_at": tip.created_at}


@router.post("/tips/posts/{post_id}", response={200: TipsOut, 201: TipsOut, **WRITE_ERRORS}, auth=MEMBER_AUTH,
             summary="Tip a post's author with points")
def tips_give(request, payload: TipsIn, post_id: int = ID):
    tip = services.tip_post(actor=request.auth, post_id=post_id, amount=payload.amount,
                            request_key=payload.request_key)
    return Status(200 if tip.duplicate else 201, tip_out(tip))


@router.get("/tips/posts/{post_id}", response={200: TipsTotalOut, **READ_ERRORS}, auth=READ_AUTH,
            openapi_extra=ANONYMOUS_OK, summary="The tips a post received")
def tips_of_post(request, post_id: int = ID):
    post = selectors.readable_post(post_id=post_id, user=request.auth)
    tips = selectors.post_tips(post=post)
    return {"post_id": post.pk, "total": sum(t.amount for t in tips), "tips": [tip_out(t) for t in tips]}


def register(api):
    api.add_router("/", router)
    return api

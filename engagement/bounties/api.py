"""Bounties in the JSON API: a topic's bounty, accepting an answer (the asker) and resolving an
abandoned bounty (a moderator). Same services and checks as the pages."""

from datetime import datetime

from django.http import Http404
from ninja import Field, Router, Schema

from forum.api_schemas import ANONYMOUS_OK, READ_ERRORS, WRITE_ERRORS
from forum.api_schemas import OBJECT_ID as ID
from forum.permissions import can_read_topic
from forum.tokens import MEMBER_AUTH, READ_AUTH

from . import selectors, services

router = Router(tags=["bounties"])


class PayoutOut(Schema):
    member: str
    kind: str
    amount: int
    post_id: int | None


class BountyOut(Schema):
    id: int
    topic_id: int
    asker: str
    amount: int
    status: str
    expiry_rule: str
    expires_at: datetime
    accepted_post_id: int | None
    payouts: list[PayoutOut]


class AcceptIn(Schema):
    post_id: int


class BountyResolveIn(Schema):
    post_id: int | None = Field(None, description="award to this reply; empty refunds the asker")
    reason: str = Field(min_length=1, max_length=500)


def bounty_out(bounty):
    bounty = selectors.bounty_for_topic(topic_id=bounty.topic_id)
    return {"id": bounty.pk, "topic_id": bounty.topic_id, "asker": bounty.asker.username, "amount": bounty.amount,
            "status": bounty.status, "expiry_rule": bounty.expiry_rule, "expires_at": bounty.expires_at,
            "accepted_post_id": bounty.accepted_post_id,
            "payouts": [{"member": p.member.username, "kind": p.kind, "amount": p.amount, "post_id": p.post_id}
                        for p in bounty.payouts.all()]}


@router.get("/bounties/topics/{topic_id}", response={200: BountyOut, **READ_ERRORS}, auth=READ_AUTH,
            openapi_extra=ANONYMOUS_OK, summary="A topic's bounty")
def bounty_of_topic(request, topic_id: int = ID):
    bounty = selectors.bounty_for_topic(topic_id=topic_id)
    if bounty is None or not can_read_topic(request.auth, bounty.topic):
        raise Http404
    return bounty_out(bounty)


@router.post("/bounties/topics/{topic_id}/accept", response={200: BountyOut, **WRITE_ERRORS}, auth=MEMBER_AUTH,
             summary="Accept an answer: its author receives the bounty (once)")
def bounty_accept(request, payload: AcceptIn, topic_id: int = ID):
    return bounty_out(services.bounty_accept(actor=request.auth, topic_id=topic_id, post_id=payload.post_id))


@router.post("/bounties/{bounty_id}/resolve", response={200: BountyOut, **WRITE_ERRORS}, auth=MEMBER_AUTH,
             summary="A moderator resolves an abandoned bounty (award or refund; audited)")
def bounty_resolve(request, payload: BountyResolveIn, bounty_id: int = ID):
    return bounty_out(services.bounty_resolve(actor=request.auth, bounty_id=bounty_id, post_id=payload.post_id,
                                              reason=payload.reason))


def register(api):
    api.add_router("/", router)
    return api

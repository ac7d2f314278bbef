"""Polls in the JSON API (/api/v1/): a poll with its results as the reader may see them, voting,
and closing early (its author or a moderator). The same selectors, services and permission checks
as the pages, so the same refusals: 400 bad choice, 403 not allowed, 404 unknown or unreadable,
409 closed / already voted, in the API's error envelope."""

from datetime import datetime

from ninja import Field, Router, Schema

from forum.api_schemas import ANONYMOUS_OK, READ_ERRORS, WRITE_ERRORS
from forum.api_schemas import OBJECT_ID as ID
from forum.tokens import MEMBER_AUTH, READ_AUTH

from . import selectors, services

router = Router(tags=["polls"])


class MemberRef(Schema):
    username: str
    name: str
    url: str


class TopicRef(Schema):
    id: int
    title: str
    url: str


class PollOptionOut(Schema):
    id: int
    position: int
    text: str
    votes: int | None = Field(None, description="null while the reader may not see the results")
    percent: int | None = Field(None, description="percent of voters; null while the results are hidden")
    mine: bool
    voters: list[MemberRef] | None = Field(None, description="public polls whose results the reader sees")


class PollOut(Schema):
    id: int
    question: str
    url: str
    topic: TopicRef | None = None
    author: MemberRef
    max_choices: int
    is_multiple: bool
    is_anonymous: bool
    results_visibility: str = Field(description="always, after_vote or after_close")
    min_level: int
    allow_change: bool
    created_at: datetime
    closes_at: datetime | None = None
    closed_at: datetime | None = None
    is_open: bool
    voter_count: int
    show_results: bool
    has_voted: bool
    can_vote: bool
    vote_refusal: str | None = Field(None, description="why the reader may not vote (level), if so")
    can_manage: bool = Field(description="the reader may close the poll")
    options: list[PollOptionOut]


class PollVoteIn(Schema):
    option_ids: list[int] = Field(description="the chosen options' ids (one for a single-choice poll)")


def member_ref(user):
    return {"username": user.username, "name": user.name, "url": user.get_absolute_url()}


def poll_out(pv):
    """A PollView (engagement.polls.selectors) as PollOut."""
    poll = pv.poll
    return {
        "id": poll.pk, "question": poll.question, "url": poll.get_absolute_url(),
        "topic": ({"id": poll.topic.pk, "title": poll.topic.title, "url": poll.topic.get_absolute_url()}
                  if poll.topic_id else None),
        "author": member_ref(poll.author), "max_choices": poll.max_choices, "is_multiple": poll.is_multiple,
        "is_anonymous": poll.is_anonymous, "results_visibility": poll.results_visibility,
        "min_level": poll.min_level, "allow_change": poll.allow_change, "created_at": poll.created_at,
        "closes_at": poll.closes_at, "closed_at": poll.closed_at, "is_open": pv.is_open,
        "voter_count": pv.voter_count, "show_results": pv.show_results, "has_voted": pv.has_voted,
        "can_vote": pv.can_vote, "vote_refusal": pv.vote_refusal or None, "can_manage": pv.can_manage,
        "options": [
            {"id": r.option.pk, "position": r.option.position, "text": r.option.text,
             "votes": r.votes if pv.show_results else None, "percent": r.percent if pv.show_results else None,
             "mine": r.mine, "voters": [member_ref(m) for m in r.voters] if pv.show_voters else None}
            for r in pv.rows
        ],
    }


def _detail(poll_id, user):
    poll = selectors.poll_get(poll_id=poll_id, user=user)
    return poll_out(selectors.polls_view(polls=[poll], user=user, with_voters=True)[0])


@router.get("/polls/{poll_id}", response={200: PollOut, **READ_ERRORS}, auth=READ_AUTH, openapi_extra=ANONYMOUS_OK,
            summary="A poll with its results as the reader may see them")
def poll_detail(request, poll_id: int = ID):
    return _detail(poll_id, request.auth)


@router.post("/polls/{poll_id}/vote", response={200: PollOut, **WRITE_ERRORS}, auth=MEMBER_AUTH,
             summary="Vote (or change a vote, when the poll allows it)")
def poll_vote(request, payload: PollVoteIn, poll_id: int = ID):
    poll = selectors.poll_get(poll_id=poll_id, user=request.auth)
    services.poll_vote(actor=request.auth, poll=poll, option_ids=payload.option_ids)
    return _detail(poll_id, request.auth)


@router.post("/polls/{poll_id}/close", response={200: PollOut, **WRITE_ERRORS}, auth=MEMBER_AUTH,
             summary="Close the poll now (its author or a moderator)")
def poll_close(request, poll_id: int = ID):
    poll = selectors.poll_get(poll_id=poll_id, user=request.auth)
    services.poll_close(actor=request.auth, poll=poll)
    return _detail(poll_id, request.auth)


def register(api):
    api.add_router("/", router)
    return api

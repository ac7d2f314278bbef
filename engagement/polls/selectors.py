"""Reads of polls for pages, the topic widget and exports.

`polls_for_topic` loads every poll of a topic with its options, counts and the reader's own
choices in a fixed number of queries (5 for a member: polls, options with counts, voters, own choices,
the reader's groups; 3 for a guest), however many polls, options or ballots there are."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.utils import timezone

from . import permissions
from .models import Ballot, BallotChoice, Poll, PollOption


@dataclass
class OptionRow:
    option: PollOption
    votes: int
    percent: int
    mine: bool
    voters: list = field(default_factory=list)


@dataclass
class PollView:
    """What one reader sees of one poll."""

    poll: Poll
    rows: list
    voter_count: int
    has_voted: bool
    is_open: bool
    show_results: bool
    show_voters: bool
    can_vote: bool
    vote_refusal: str
    can_manage: bool
    can_export: bool
    with_voters: bool = False

    def state(self):
        """Everything the widget shows of this poll to this reader (the fragment's ETag)."""
        return (self.poll.pk, self.poll.question, self.poll.closes_at, self.poll.closed_at, self.voter_count,
                self.has_voted, self.is_open, self.show_results, self.show_voters, self.can_vote, self.vote_refusal,
                self.can_manage, self.can_export, self.with_voters,
                [(r.option.pk, r.option.text, r.votes, r.percent, r.mine, [m.pk for m in r.voters]) for r in self.rows])


def poll_get(*, poll_id, user):
    """The poll, 404 when missing, NotAllowed when the reader may not read its topic."""
    poll = get_object_or_404(Poll.objects.select_related("topic__category", "author"), pk=poll_id)
    permissions.check_read_poll(user, poll)
    return poll


def _percent(part, whole):
    return int(round(part * 100 / whole)) if whole else 0


def _build(polls, user, *, with_voters=False):
    if not polls:
        return []
    now = timezone.now()
    ids = [p.pk for p in polls]
    options = defaultdict(list)
    for opt in PollOption.objects.filter(poll_id__in=ids).annotate(n=Count("choices")).order_by("poll", "position"):
        options[opt.poll_id].append(opt)
    voters = dict(Ballot.objects.filter(poll_id__in=ids).values("poll").annotate(n=Count("id"))
                  .values_list("poll", "n"))
    mine = defaultdict(set)
    if user.is_authenticated:
        for poll_id, option_id in BallotChoice.objects.filter(poll_id__in=ids, ballot__member=user).values_list(
                "poll_id", "option_id"):
            mine[poll_id].add(option_id)
    voter_names = defaultdict(list)
    if with_voters:
        public = [p.pk for p in polls if not p.is_anonymous]
        if public:
            for choice in (BallotChoice.objects.filter(poll_id__in=public).select_related("ballot__member")
                           .order_by("ballot__created_at", "ballot_id")):
                voter_names[choice.option_id].append(choice.ballot.member)
    views = []
    for poll in polls:
        voted = bool(mine[poll.pk])
        count = voters.get(poll.pk, 0)
        show = permissions.can_see_results(user, poll, voted=voted, at=now)
        show_voters = with_voters and permissions.can_see_voters(user, poll, voted=voted, at=now)
        refusal = ""
        is_open = poll.is_open_at(now)
        if user.is_authenticated:
            refusal = permissions.level_refusal(user, poll.min_level) or ""
        rows = [OptionRow(option=o, votes=o.n if show else 0, percent=_percent(o.n, count) if show else 0,
                          mine=o.pk in mine[poll.pk], voters=voter_names[o.pk] if show_voters else [])
                for o in options[poll.pk]]
        views.append(PollView(
            poll=poll, rows=rows, voter_count=count, has_voted=voted, is_open=is_open, show_results=show,
            show_voters=show_voters,
            can_vote=user.is_authenticated and is_open and not refusal and (not voted or poll.allow_change), vote_refusal=refusal,
            can_manage=permissions.can_manage_poll(user, poll),
            can_export=permissions.can_export_poll(user), with_voters=with_voters,
        ))
    return views


def polls_for_topic(*, topic, user):
    """Every poll of a topic as PollViews (the caller already checked the topic may be read)."""
    polls = list(Poll.objects.filter(topic_id=topic.pk).order_by("created_at", "id"))
    for poll in polls:
        poll.topic = topic
    return _build(polls, user)


def polls_view(*, polls, user, with_voters=False):
    return _build(list(polls), user, with_voters=with_voters)


def poll_view(*, poll, user):
    """One poll's page: counts, percentages and (public polls, results visible) the voters."""
    return _build([poll], user, with_voters=True)[0]


def poll_results(*, poll):
    """[(option, votes, percent)] and the number of voters, for exports and event results."""
    count = Ballot.objects.filter(poll=poll).count()
    rows = [(o, o.n, _percent(o.n, count))
            for o in PollOption.objects.filter(poll=poll).annotate(n=Count("choices")).order_by("position")]
    return rows, count


def poll_ballots(*, poll):
    """Every ballot with its member and chosen options, oldest first (public polls' export)."""
    return (Ballot.objects.filter(poll=poll).select_related("member")
            .prefetch_related("choices__option").order_by("created_at", "id"))


def polls_due_to_close(*, now=None):
    now = now or timezone.now()
    return list(Poll.objects.filter(closed_at__isnull=True, closes_at__lte=now).values_list("pk", flat=True))

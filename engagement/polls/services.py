"""Every write to polls: create, vote, close (by hand, by the task at the close time, or by the
periodic sweep when the task was late). Keyword-only, one transaction each, an `actor` checked by
engagement.polls.permissions. A refused action raises a forum.errors.ForumError and writes nothing."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from audit.log import audit_record
from engagement.levels.selectors import level_ladder
from engagement.points.models import PointsRule
from engagement.points.services import points_award
from forum import hooks
from forum.errors import Conflict, InvalidInput

from . import events, extension, permissions
from .models import Ballot, BallotChoice, Poll, PollOption

QUESTION_MAX = 200
OPTION_MAX = 100
POLLS_SECTION = "polls"  # the key of the topic page's polls section (Topic.sections)


def _publish(poll):
    """Tell the topic's live readers (realtime.publish, after commit) and drop the guests' cached
    topic page (forum.cache), so the poll shows its new state everywhere."""
    if poll.topic_id:
        from forum.cache import bump_topic
        from realtime.publish import publish_topic_event

        bump_topic(poll.topic_id)

        payload = events.poll_updated(poll)
        publish_topic_event(poll.topic_id, payload["type"], payload,
                            refresh=lambda _old: events.poll_updated(Poll.objects.get(pk=poll.pk)))


def _schedule_close(poll):
    if poll.closes_at is None:
        return
    from .tasks import poll_close_due_task

    transaction.on_commit(lambda: poll_close_due_task.apply_async(args=[poll.pk], eta=poll.closes_at))


def clean_poll_fields(*, question, options, max_choices, closes_at, results_visibility, min_level, now):
    """Validate a poll's settings; returns the cleaned (question, options, max_choices, closes_at,
    results_visibility, min_level). Raises InvalidInput naming the field."""
    question = " ".join(str(question or "").split())
    if not question:
        raise InvalidInput(_("Ask a question."), field="question")
    if len(question) > QUESTION_MAX:
        raise InvalidInput(_("The question may be at most %(n)d characters.") % {"n": QUESTION_MAX}, field="question")
    if isinstance(options, str):
        options = options.splitlines()
    cleaned = [" ".join(str(o or "").split()) for o in (options or [])]
    cleaned = [o for o in cleaned if o]
    if len(cleaned) < 2:
        raise InvalidInput(_("A poll needs at least two options."), field="options")
    if len(cleaned) > Poll.MAX_OPTIONS:
        raise InvalidInput(_("A poll may have at most %(n)d options.") % {"n": Poll.MAX_OPTIONS}, field="options")
    if any(len(o) > OPTION_MAX for o in cleaned):
        raise InvalidInput(_("Each option may be at most %(n)d characters.") % {"n": OPTION_MAX}, field="options")
    if len({o.casefold() for o in cleaned}) != len(cleaned):
        raise InvalidInput(_("Two options are the same."), field="options")
    try:
        max_choices = 1 if max_choices in (None, "") else int(max_choices)
    except (TypeError, ValueError):
        raise InvalidInput(_("Choices per voter must be a whole number."), field="max_choices")
    if not 1 <= max_choices <= len(cleaned):
        raise InvalidInput(_("Choices per voter must be between 1 and the number of options (%(n)d).")
                           % {"n": len(cleaned)}, field="max_choices")
    if closes_at is not None:
        if not isinstance(closes_at, datetime.datetime):
            raise InvalidInput(_("The close time is not a date and time."), field="closes_at")
        if closes_at <= now:
            raise InvalidInput(_("The close time must be in the future."), field="closes_at")
    if results_visibility not in Poll.Results.values:
        raise InvalidInput(_("Choose when results are shown."), field="results_visibility")
    try:
        min_level = int(min_level or 0)
    except (TypeError, ValueError):
        raise InvalidInput(_("The minimum level must be a level number."), field="min_level")
    if min_level and min_level not in {lv.number for lv in level_ladder()}:
        raise InvalidInput(_("There is no level %(n)d.") % {"n": min_level}, field="min_level")
    return question, cleaned, max_choices, closes_at, results_visibility, min_level


@transaction.atomic
def poll_create(*, actor, topic=None, question, options, max_choices=1, is_anonymous=False,
                results_visibility=Poll.Results.ALWAYS, min_level=0, allow_change=False, closes_at=None):
    """A poll on a topic (by its author with the level privilege, or a moderator) or, with no
    topic, for an event (moderators; recorded in the audit log)."""
    permissions.check_create_poll(actor, topic)
    now = timezone.now()
    question, options, max_choices, closes_at, results_visibility, min_level = clean_poll_fields(
        question=question, options=options, max_choices=max_choices, closes_at=closes_at,
        results_visibility=results_visibility, min_level=min_level, now=now)
    poll = Poll.objects.create(
        topic=topic, author=actor, question=question, max_choices=max_choices, is_anonymous=bool(is_anonymous),
        results_visibility=results_visibility, min_level=min_level, allow_change=bool(allow_change),
        closes_at=closes_at, created_at=now,
    )
    PollOption.objects.bulk_create([PollOption(poll=poll, position=i, text=t) for i, t in enumerate(options, 1)])
    if topic is not None:
        from forum.cache import bump_topic

        # the topic page shows its polls from now on (forum.hooks.topic_sections; see sections.py)
        hooks.topic_sections.show(topic_id=topic.pk, key=POLLS_SECTION)
        bump_topic(topic.pk)
    else:
        audit_record(actor=actor, action="poll.create", reason=_("Created a poll"), target=poll,
                     data={"options": options, "closes_at": closes_at.isoformat() if closes_at else None})
    _schedule_close(poll)
    return poll


def _clean_choice(poll, option_ids):
    if option_ids is None or option_ids == "":
        option_ids = []
    if not isinstance(option_ids, list | tuple | set):
        option_ids = [option_ids]
    try:
        wanted = [int(o) for o in option_ids]
    except (TypeError, ValueError):
        raise InvalidInput(_("That option is not in this poll."), field="options")
    if not wanted:
        raise InvalidInput(_("Choose an option."), field="options")
    if len(set(wanted)) != len(wanted):
        raise InvalidInput(_("Each option can be chosen once."), field="options")
    if len(wanted) > poll.max_choices:
        raise InvalidInput(
            _("You may choose at most %(n)d options.") % {"n": poll.max_choices} if poll.max_choices > 1
            else _("Choose only one option."), field="options")
    valid = set(PollOption.objects.filter(poll=poll).values_list("pk", flat=True))
    if not set(wanted) <= valid:
        raise InvalidInput(_("That option is not in this poll."), field="options")
    return wanted


def _closed_message(poll):
    when = poll.closed_at or poll.closes_at
    return _("This poll closed at %(when)s.") % {
        "when": formats.date_format(timezone.localtime(when), "DATETIME_FORMAT")}


@transaction.atomic
def poll_vote(*, actor, poll, option_ids):
    """Cast (or, when the poll allows it, change) the actor's ballot. One ballot per member per
    poll is the table's constraint; the first ballot earns the "poll_vote" points once.
    Returns the Ballot."""
    now = timezone.now()
    poll = Poll.objects.select_related("topic__category").get(pk=poll.pk)
    permissions.check_vote(actor, poll)
    if not poll.is_open_at(now):
        raise Conflict(_closed_message(poll), code="poll_closed")
    wanted = _clean_choice(poll, option_ids)
    ballot = Ballot.objects.select_for_update().filter(poll=poll, member=actor).first()
    first = ballot is None
    if ballot is not None:
        if not poll.allow_change:
            raise Conflict(_("You have already voted in this poll."), code="already_voted")
        current = sorted(BallotChoice.objects.filter(ballot=ballot).values_list("option_id", flat=True))
        if current == sorted(wanted):
            return ballot
        BallotChoice.objects.filter(ballot=ballot).delete()
        ballot.updated_at = now
        ballot.save(update_fields=["updated_at"])
    else:
        try:
            with transaction.atomic():
                ballot = Ballot.objects.create(poll=poll, member=actor, created_at=now, updated_at=now)
        except IntegrityError:
            raise Conflict(_("You have already voted in this poll."), code="already_voted")
    BallotChoice.objects.bulk_create([BallotChoice(ballot=ballot, poll=poll, option_id=o) for o in wanted])
    if first:
        points_award(member=actor, rule_code=PointsRule.POLL_VOTE, source=poll,
                     category=poll.topic.category_id if poll.topic_id else None)
    extension.poll_voted.send(poll=poll, member=actor, ballot=ballot, first=first)
    _publish(poll)
    return ballot


@transaction.atomic
def poll_close(*, actor, poll):
    """Close a poll now, by its author or a moderator (recorded in the audit log)."""
    permissions.check_close_poll(actor, poll)
    now = timezone.now()
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if not poll.is_open_at(now):
        raise Conflict(_closed_message(poll), code="poll_closed")
    poll.closed_at = now
    poll.save(update_fields=["closed_at"])
    audit_record(actor=actor, action="poll.close", reason=_("Closed the poll early"), target=poll)
    _publish(poll)
    return poll


@transaction.atomic
def poll_close_due(*, poll_id):
    """Record the close of a poll whose close time has come (the task and the sweep call this; safe
    to run any number of times). Votes are refused from closes_at on whether or not this ran."""
    poll = Poll.objects.select_for_update().filter(pk=poll_id).first()
    if poll is None or poll.closed_at is not None or poll.closes_at is None or poll.closes_at > timezone.now():
        return False
    poll.closed_at = poll.closes_at
    poll.save(update_fields=["closed_at"])
    _publish(poll)
    return True

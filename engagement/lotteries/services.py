"""Every write to lotteries: create, edit, enter, close, draw (by the task or by hand) and cancel.

Concurrency: every state change locks the lottery's row (SELECT ... FOR UPDATE) and then re-reads
its state; an entry takes the same row lock with the UPDATE that gives out its number (re-checking
that entries are open). So numbers are handed out one at a time with no gaps, a draw includes
every entry committed before it and no entry after it, and of two draws running at once (a
retried task, two workers, a moderator and the task) the second waits, sees "drawn" and returns
the first one's winners: a lottery is drawn exactly once. A refused action raises a forum.errors.ForumError and writes nothing (no points
move: the spend is in the same transaction as the entry)."""

import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from audit.log import AuditReasonMissing, audit_record, clean_reason
from engagement import extension as engagement_extension
from engagement.levels.selectors import level_ladder
from engagement.points.services import points_reverse, points_spend
from forum import hooks
from forum.errors import Conflict, InvalidInput, NotAllowed
from forum.models import Notification, Post
from forum.services import notification_create

from . import draw, extension, permissions
from .models import Lottery, LotteryEntry

SPEND_REASON = "lottery_entry"
TITLE_MAX = 120
PRIZE_MAX = 2000
SALT_MAX = 300
MAX_WINNERS = 10000
LOTTERY_SECTION = "lottery"  # the key of the topic page's lottery cards (Topic.sections)


def _when(value):
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def _schedule_close(lottery):
    from .tasks import lottery_close_due_task, lottery_opened_task

    transaction.on_commit(lambda: lottery_close_due_task.apply_async(args=[lottery.pk], eta=lottery.closes_at))
    if lottery.opens_at > timezone.now():
        # the window opening writes nothing, so nothing else would retire guests' cached card
        transaction.on_commit(lambda: lottery_opened_task.apply_async(args=[lottery.pk], eta=lottery.opens_at))


def lottery_opened(*, lottery_id):
    """When the entry window opens: guests' cached topic page and card stop saying "opens at"."""
    lottery = Lottery.objects.filter(pk=lottery_id).only("pk", "topic_id").first()
    if lottery is not None and lottery.topic_id:
        _bump(lottery.topic_id)
    return lottery is not None


def _bump(topic_id):
    """The lottery's card on its topic's page changed: retire the guests' cached page."""
    if topic_id:
        from forum.cache import bump_topic

        bump_topic(topic_id)


def _sync_topic_section(*topic_ids):
    """Topic.sections carries "lottery" exactly while a lottery names the topic (the topic page then
    shows their cards: engagement/lotteries/sections.py)."""
    for topic_id in {t for t in topic_ids if t}:
        if Lottery.objects.filter(topic_id=topic_id).exists():
            hooks.topic_sections.show(topic_id=topic_id, key=LOTTERY_SECTION)
        else:
            hooks.topic_sections.hide(topic_id=topic_id, key=LOTTERY_SECTION)


def _publish_drawn(lottery):
    if lottery.topic_id:
        from forum.cache import bump_topic
        from realtime.publish import publish_topic_event

        bump_topic(lottery.topic_id)

        publish_topic_event(lottery.topic_id, "lottery.drawn", {
            "lottery_id": lottery.pk, "title": lottery.title, "winners": list(lottery.winners),
            "url": lottery.get_absolute_url(), "audit_url": lottery.get_absolute_url() + "audit.json",
        })


def _clean(*, title, prize, winners_count, opens_at, closes_at, min_level, points_cost, salt_source, topic,
           require_reply, now, check_future=True):
    title = " ".join(str(title or "").split())
    if not title:
        raise InvalidInput(_("Give the lottery a title."), field="title")
    if len(title) > TITLE_MAX:
        raise InvalidInput(_("The title may be at most %(n)d characters.") % {"n": TITLE_MAX}, field="title")
    prize = str(prize or "").strip()
    if not prize:
        raise InvalidInput(_("Describe the prize."), field="prize")
    if len(prize) > PRIZE_MAX:
        raise InvalidInput(_("The prize description may be at most %(n)d characters.") % {"n": PRIZE_MAX},
                           field="prize")
    try:
        winners_count = int(winners_count)
    except (TypeError, ValueError):
        raise InvalidInput(_("The number of winners must be a whole number."), field="winners_count")
    if not 1 <= winners_count <= MAX_WINNERS:
        raise InvalidInput(_("The number of winners must be between 1 and %(n)d.") % {"n": MAX_WINNERS},
                           field="winners_count")
    for name, value in (("opens_at", opens_at), ("closes_at", closes_at)):
        if not isinstance(value, datetime.datetime):
            raise InvalidInput(_("Give a date and time."), field=name)
    if closes_at <= opens_at:
        raise InvalidInput(_("Entries must close after they open."), field="closes_at")
    if check_future and closes_at <= now:
        raise InvalidInput(_("The closing time must be in the future."), field="closes_at")
    try:
        min_level = int(min_level or 0)
        points_cost = int(points_cost or 0)
    except (TypeError, ValueError):
        raise InvalidInput(_("Level and points must be whole numbers."), field="points_cost")
    if min_level and min_level not in {lv.number for lv in level_ladder()}:
        raise InvalidInput(_("There is no level %(n)d.") % {"n": min_level}, field="min_level")
    if not 0 <= points_cost <= 1_000_000:
        raise InvalidInput(_("The points cost must be between 0 and 1,000,000."), field="points_cost")
    salt_source = " ".join(str(salt_source or "").split())
    if len(salt_source) > SALT_MAX:
        raise InvalidInput(_("The salt source may be at most %(n)d characters.") % {"n": SALT_MAX},
                           field="salt_source")
    if require_reply and topic is None:
        raise InvalidInput(_("Choose the topic entrants must reply in."), field="topic")
    return dict(title=title, prize=prize, winners_count=winners_count, opens_at=opens_at, closes_at=closes_at,
                min_level=min_level, points_cost=points_cost, salt_source=salt_source, topic=topic,
                require_reply=bool(require_reply))


@transaction.atomic
def lottery_create(*, actor, title, prize, winners_count, opens_at, closes_at, topic=None, require_reply=False,
                   min_level=0, points_cost=0, salt_source="", prize_image=None):
    """A new lottery with its seed committed: sha256(server_seed) is public from now on, the seed
    itself stays secret until the draw. Moderators only; recorded in the audit log."""
    permissions.check_manage_lotteries(actor)
    now = timezone.now()
    fields = _clean(title=title, prize=prize, winners_count=winners_count, opens_at=opens_at, closes_at=closes_at,
                    min_level=min_level, points_cost=points_cost, salt_source=salt_source, topic=topic,
                    require_reply=require_reply, now=now)
    seed, commitment = draw.new_server_seed()
    lottery = Lottery(**fields, server_seed=seed.hex(), seed_commitment=commitment, created_by=actor,
                      created_at=now)
    if prize_image:
        lottery.prize_image = prize_image
    lottery.save()
    audit_record(actor=actor, action="lottery.create", reason=_("Created a lottery"), target=lottery,
                 data={"seed_commitment": commitment, "salt_source": lottery.salt_source,
                       "winners_count": lottery.winners_count, "opens_at": opens_at.isoformat(),
                       "closes_at": closes_at.isoformat(), "points_cost": lottery.points_cost})
    _sync_topic_section(lottery.topic_id)
    _schedule_close(lottery)
    return lottery


@transaction.atomic
def lottery_edit(*, actor, lottery, reason, **changes):
    """Edit before the draw. The title, prize and image may change while entries are open; the
    window, winners, eligibility and salt source only while nobody has entered (changing them
    later would change the terms under which members entered)."""
    permissions.check_manage_lotteries(actor)
    try:
        reason = clean_reason(reason)
    except AuditReasonMissing:
        raise InvalidInput(_("Say why: a reason is required."), field="reason")
    lottery = Lottery.objects.select_for_update().get(pk=lottery.pk)
    if lottery.state in (Lottery.State.DRAWN, Lottery.State.CANCELLED):
        raise Conflict(_("A drawn or cancelled lottery cannot be edited."), code="finished")
    terms = ("winners_count", "opens_at", "closes_at", "min_level", "points_cost", "salt_source", "topic",
             "require_reply")
    current = {k: getattr(lottery, k) for k in ("title", "prize", *terms)}
    changed_terms = [k for k in terms if k in changes and changes[k] != current[k]]
    if changed_terms and lottery.entry_count:
        raise Conflict(_("Members have entered: only the title, prize and image may change now."),
                       code="terms_locked")
    merged = {**current, **{k: v for k, v in changes.items() if k in current}}
    fields = _clean(**merged, now=timezone.now(), check_future="closes_at" in changed_terms)
    for key, value in fields.items():
        setattr(lottery, key, value)
    if changes.get("prize_image"):
        lottery.prize_image = changes["prize_image"]
    lottery.save()
    audit_record(actor=actor, action="lottery.edit", reason=reason, target=lottery,
                 data={"changed": sorted(k for k in changes if changes[k] != current.get(k))})
    old_topic_id = current["topic"].pk if current["topic"] is not None else None
    _sync_topic_section(old_topic_id, lottery.topic_id)
    _bump(lottery.topic_id)
    if "closes_at" in changed_terms or "opens_at" in changed_terms:
        _schedule_close(lottery)
    return lottery


def _has_replied(member, topic):
    return Post.objects.filter(topic=topic, author=member, number__gt=1, is_hidden=False, is_deleted=False).exists()


def _entry_refusal(lottery, now):
    if lottery.state == Lottery.State.CANCELLED:
        return Conflict(_("This lottery was cancelled."), code="cancelled")
    if lottery.state != Lottery.State.OPEN or now >= lottery.closes_at:
        return Conflict(_("Entries closed at %(when)s.") % {"when": _when(lottery.closes_at)}, code="closed")
    if now < lottery.opens_at:
        return Conflict(_("Entries open at %(when)s.") % {"when": _when(lottery.opens_at)}, code="not_open")
    return None


def _take_number(lottery, now):
    """Give out the next number: one UPDATE ... RETURNING that takes the lottery's row lock (held to
    the commit, so numbers are gap-free and a concurrent draw waits for this entry) and re-checks,
    under that lock, that entries are still open. None when they no longer are."""
    table = Lottery._meta.db_table
    at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET entry_count = entry_count + 1 WHERE id = %s AND state = %s AND opens_at <= %s "
            f"AND closes_at > %s RETURNING entry_count", [lottery.pk, Lottery.State.OPEN, at, at])
        row = cursor.fetchone()
    return row[0] if row else None


@transaction.atomic
def lottery_enter(*, actor, lottery):
    """Enter a lottery: one entry per member (a constraint), the ticket "<number>:<username>"
    frozen now, the points cost spent through the ledger in the same transaction.

    The eligibility checks run first, without locks; the number is taken after them (see
    _take_number), so the lottery's row lock is held only for the spend, the insert and the commit."""
    permissions.check_enter(actor, lottery)
    now = timezone.now()
    lottery = Lottery.objects.select_related("topic").get(pk=lottery.pk)
    refusal = _entry_refusal(lottery, now)
    if refusal:
        raise refusal
    if LotteryEntry.objects.filter(lottery=lottery, member=actor).exists():
        raise Conflict(_("You have already entered this lottery."), code="already_entered")
    refusal = permissions.level_refusal(actor, lottery.min_level)
    if refusal:
        raise NotAllowed(refusal, code="level")
    if lottery.require_reply and lottery.topic_id and not _has_replied(actor, lottery.topic):
        raise NotAllowed(_("Reply in “%(topic)s” first: only members who replied may enter.")
                         % {"topic": lottery.topic.title}, code="no_reply")
    # the lottery's row lock first, then the member's points account: the same order as
    # lottery_cancel (lottery, then refunds), so an entry and a cancel never deadlock
    number = _take_number(lottery, now)
    if number is None:  # closed, drawn or cancelled while we were checking
        raise _entry_refusal(Lottery.objects.get(pk=lottery.pk), now) or Conflict(
            _("Entries are closed."), code="closed")
    spend = None
    voucher = None
    if lottery.points_cost:  # a lottery ticket bought in the shop pays the cost instead of points
        voucher = engagement_extension.voucher_use.ask(member=actor, kind="lottery_ticket", ref=f"lottery-{lottery.pk}")
    if lottery.points_cost and voucher is None:
        spend = points_spend(member=actor, amount=lottery.points_cost, reason=SPEND_REASON, source=lottery,
                             note=lottery.title)  # raises InsufficientPoints: the whole entry rolls back
    try:
        with transaction.atomic():
            entry = LotteryEntry.objects.create(lottery=lottery, member=actor, number=number,
                                                ticket=draw.ticket(number, actor.username), points_entry=spend,
                                                created_at=now)
    except IntegrityError:  # the same member entering twice at once: the whole transaction rolls back
        raise Conflict(_("You have already entered this lottery."), code="already_entered")
    lottery.entry_count = number
    extension.lottery_entered.send(lottery=lottery, member=actor, entry=entry)
    _bump(lottery.topic_id)
    return entry


def _count_and_digest(lottery):
    """(number of entries, entries_digest). On PostgreSQL the digest is computed by the database
    (string_agg in number order, then sha256), so a draw over a million entries moves two values,
    not a million tickets; elsewhere the tickets are read and hashed here."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*), encode(sha256(convert_to(coalesce(string_agg(ticket, E'\\n' ORDER BY number), ''), "
                f"'UTF8')), 'hex') FROM {LotteryEntry._meta.db_table} WHERE lottery_id = %s", [lottery.pk])
            count, digest = cursor.fetchone()
        return count, digest
    tickets = list(LotteryEntry.objects.filter(lottery=lottery).order_by("number").values_list("ticket", flat=True))
    return len(tickets), draw.digest_of(tickets)


def _draw_locked(lottery, *, actor, public_salt, now):
    count, digest = _count_and_digest(lottery)
    if count != lottery.entry_count:  # numbers are handed out under the row lock: 1..n with no gaps
        raise RuntimeError(f"lottery {lottery.pk}: {count} entries but {lottery.entry_count} numbers given out")
    positions = draw.winner_positions(
        count, draw_seed=draw.seed_for_draw(bytes.fromhex(lottery.server_seed), digest, public_salt),
        winners_count=lottery.winners_count)
    numbers = [p + 1 for p in positions]
    by_number = dict(LotteryEntry.objects.filter(lottery=lottery, number__in=numbers).values_list("number", "ticket"))
    winners = [by_number[n] for n in numbers]
    lottery.public_salt = public_salt
    lottery.entries_digest = digest
    lottery.winners = winners
    lottery.drawn_at = now
    lottery.drawn_by = actor if actor is not None and actor.is_authenticated else None
    lottery.state = Lottery.State.DRAWN
    lottery.save(update_fields=["public_salt", "entries_digest", "winners", "drawn_at", "drawn_by", "state"])
    ranks = {n: rank for rank, n in enumerate(numbers, 1)}
    if ranks:
        LotteryEntry.objects.filter(lottery=lottery, number__in=list(ranks)).update(win_rank=Case(
            *[When(number=n, then=Value(r)) for n, r in ranks.items()], output_field=IntegerField()))
    winner_entries = list(LotteryEntry.objects.filter(lottery=lottery, win_rank__isnull=False)
                          .select_related("member").order_by("win_rank"))
    for entry in winner_entries:
        notification_create(
            recipient=entry.member, kind=Notification.Kind.SYSTEM, url=lottery.get_absolute_url(),
            message=_("You won “%(title)s” (ticket %(ticket)s)!") % {"title": lottery.title, "ticket": entry.ticket})
    audit_record(actor=actor, action="lottery.draw",
                 reason=_("Drawn by hand") if lottery.drawn_by_id else _("Drawn automatically when entries closed"),
                 target=lottery, data={"algorithm": draw.ALGORITHM, "public_salt": public_salt,
                                       "entries": count, "entries_digest": digest, "winners": winners})
    extension.lottery_drawn.send(lottery=lottery, winner_ids=[e.member_id for e in winner_entries])
    _publish_drawn(lottery)
    return lottery


@transaction.atomic
def lottery_draw(*, actor, lottery, public_salt=""):
    """Draw by hand, after entries closed. Returns (lottery, drawn_now): when it was already drawn
    the first draw's result is returned unchanged (drawn_now False); nothing is drawn twice."""
    permissions.check_manage_lotteries(actor)
    now = timezone.now()
    lottery = Lottery.objects.select_for_update().get(pk=lottery.pk)
    if lottery.state == Lottery.State.DRAWN:
        return lottery, False
    if lottery.state == Lottery.State.CANCELLED:
        raise Conflict(_("This lottery was cancelled; it cannot be drawn."), code="cancelled")
    if now < lottery.closes_at:
        raise Conflict(_("Entries are open until %(when)s: draw after they close.") % {"when": _when(lottery.closes_at)},
                       code="not_closed")
    public_salt = str(public_salt or "").strip()
    if len(public_salt) > SALT_MAX:
        raise InvalidInput(_("The public salt may be at most %(n)d characters.") % {"n": SALT_MAX},
                           field="public_salt")
    if lottery.salt_source and not public_salt:
        raise InvalidInput(_("Enter the public salt that was promised: %(source)s.") % {"source": lottery.salt_source},
                           field="public_salt")
    if not lottery.salt_source and public_salt:
        raise InvalidInput(_("No public salt was promised for this lottery, so none may be entered now."),
                           field="public_salt")
    return _draw_locked(lottery, actor=actor, public_salt=public_salt, now=now), True


@transaction.atomic
def lottery_close_due(*, lottery_id):
    """At the end of the entry window (the task, or the sweep when the task was late): close
    entries and, when no public salt was promised, draw at once; otherwise ask the lottery's
    creator to enter the salt and draw. Safe to run any number of times, by any number of workers."""
    now = timezone.now()
    lottery = Lottery.objects.select_for_update().filter(pk=lottery_id).first()
    if lottery is None or lottery.state != Lottery.State.OPEN or now < lottery.closes_at:
        return lottery.state if lottery is not None else None
    if not lottery.salt_source:
        _draw_locked(lottery, actor=None, public_salt="", now=now)
        return lottery.state
    lottery.state = Lottery.State.CLOSED
    lottery.save(update_fields=["state"])
    _bump(lottery.topic_id)
    notification_create(
        recipient=lottery.created_by, kind=Notification.Kind.SYSTEM, url=lottery.get_absolute_url(),
        message=_("Entries to “%(title)s” closed. Enter the public salt (%(source)s) to draw.")
        % {"title": lottery.title, "source": lottery.salt_source})
    return lottery.state


@transaction.atomic
def lottery_cancel(*, actor, lottery, reason):
    """Cancel before the draw, with a reason (audited). Every points cost is refunded once, by a
    compensating ledger row (points_reverse is idempotent), and the entrants are told."""
    permissions.check_manage_lotteries(actor)
    try:
        reason = clean_reason(reason)
    except AuditReasonMissing:
        raise InvalidInput(_("Say why the lottery is cancelled."), field="reason")
    lottery = Lottery.objects.select_for_update().get(pk=lottery.pk)
    if lottery.state == Lottery.State.DRAWN:
        raise Conflict(_("This lottery was already drawn; it cannot be cancelled."), code="drawn")
    if lottery.state == Lottery.State.CANCELLED:
        raise Conflict(_("This lottery is already cancelled."), code="cancelled")
    now = timezone.now()
    lottery.state = Lottery.State.CANCELLED
    lottery.cancelled_at = now
    lottery.cancel_reason = reason
    lottery.save(update_fields=["state", "cancelled_at", "cancel_reason"])
    refunded = 0
    entries = LotteryEntry.objects.filter(lottery=lottery).select_related("member", "points_entry").order_by("number")
    for entry in entries:
        if entry.points_entry is not None:
            points_reverse(entry=entry.points_entry, note=_("Refund: lottery “%(title)s” cancelled")
                           % {"title": lottery.title})
            refunded += -entry.points_entry.amount
        notification_create(
            recipient=entry.member, kind=Notification.Kind.SYSTEM, url=lottery.get_absolute_url(),
            message=(_("“%(title)s” was cancelled; your %(points)d points were refunded.")
                     % {"title": lottery.title, "points": -entry.points_entry.amount})
            if entry.points_entry is not None else _("“%(title)s” was cancelled.") % {"title": lottery.title})
    audit_record(actor=actor, action="lottery.cancel", reason=reason, target=lottery,
                 data={"entries": lottery.entry_count, "points_refunded": refunded})
    _bump(lottery.topic_id)
    return lottery

"""Every write to the points ledger.

Each write runs in one transaction that (1) locks the member's PointsAccount row, (2) returns the
existing row when the idempotency key was already written, (3) appends one PointsEntry, (4) moves
the cached balance / lifetime earned in the same transaction and (5) bumps the leaderboard period
totals. So the cache always equals the ledger's sums, and a retried Celery task credits nothing twice.

Awards and spends are the hot path (every post, reply, upvote, check-in). On PostgreSQL they are
one statement and one round trip: `_write_pg` calls the server-side function points_ledger_write
(migration points/0003), which locks the account row and then, with snapshots taken after the
lock, checks the idempotency key, the per-day cap and the balance, appends the ledger row, moves
the balance and bumps the period totals. Outside a transaction the statement is its own
transaction, so there is no BEGIN/COMMIT round trip either. On other databases (SQLite in
quick tests) `_write_orm` does the same steps with the ORM. Rules and multipliers come from a
process-local snapshot (selectors.rules_snapshot), so an award reads no rule rows. Level, badge and
leaderboard upkeep run after commit (extension.points_changed).

Policy on reversals: taking back points that were already spent may leave a balance below zero
(a debt the member earns back), exactly as the ledger says; spending and staff deductions never
do: they refuse when the balance is short.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import AuditReasonMissing, audit_record, clean_reason
from engagement import extension
from forum.errors import InvalidInput

from . import permissions, selectors
from .errors import InsufficientPoints
from .models import PointsAccount, PointsEntry, PointsPeriodTotal, PointsRule
from .periods import day_bounds, local_day, period_starts

KEY_MAX = 190
REASON_CODE_MAX = 40


# --- helpers -----------------------------------------------------------------------------------
def source_ref(source):
    """('app.model', 'pk') for a model instance, ('', '') for None."""
    if source is None:
        return "", ""
    meta = source._meta
    return f"{meta.app_label}.{meta.model_name}", str(source.pk)


def _clean_amount(amount, *, allow_negative=False):
    if isinstance(amount, str):
        try:
            amount = int(amount.strip())
        except ValueError:
            amount = None
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InvalidInput(_("The amount must be a whole number."), field="amount")
    if amount == 0:
        raise InvalidInput(_("The amount cannot be zero."), field="amount")
    if amount < 0 and not allow_negative:
        raise InvalidInput(_("The amount must be positive."), field="amount")
    if abs(amount) > 1_000_000_000:
        raise InvalidInput(_("The amount is too large."), field="amount")
    return amount


def _clean_code(code, field="reason"):
    code = str(code or "").strip()
    if not code or len(code) > REASON_CODE_MAX or not code.replace("_", "").replace("-", "").isalnum():
        raise InvalidInput(_("“%(code)s” is not a valid reason code.") % {"code": code}, field=field)
    return code


def _key(member_id, *parts):
    key = ":".join([str(member_id), *[str(p) for p in parts]])
    if len(key) > KEY_MAX:
        raise InvalidInput(_("The idempotency key is too long."), field="key")
    return key


def _lock_account(member_id):
    """The member's account row, locked until the transaction ends (created on first use)."""
    account = PointsAccount.objects.select_for_update().filter(member_id=member_id).first()
    if account is None:
        PointsAccount.objects.bulk_create([PointsAccount(member_id=member_id)], ignore_conflicts=True)
        account = PointsAccount.objects.select_for_update().get(member_id=member_id)
    return account


def _bump_periods(*, member_id, category_id, delta, at):
    """Add `delta` to the member's week / month / all-time totals, site-wide and for the category,
    in one INSERT ... ON CONFLICT DO UPDATE (PostgreSQL and SQLite both speak it)."""
    if not delta:
        return
    starts = period_starts(local_day(at))
    buckets = [PointsPeriodTotal.SITE] + ([category_id] if category_id else [])
    rows = [(period, start, bucket) for period, start in starts.items() for bucket in buckets]
    table = PointsPeriodTotal._meta.db_table
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
    params = []
    for period, start, bucket in rows:
        params += [period, start, bucket, member_id, delta]
    sql = (
        f"INSERT INTO {table} (period, period_start, category_id, member_id, points) VALUES {values} "
        f"ON CONFLICT (period, period_start, category_id, member_id) "
        f"DO UPDATE SET points = {table}.points + EXCLUDED.points"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _append(*, account, amount, lifetime_amount, kind, reason, key, note="", source_type="", source_id="",
            category_id=None, actor=None, reverses=None, at=None, period_at=None):
    at = at or timezone.now()
    entry = PointsEntry.objects.create(
        member_id=account.member_id, amount=amount, lifetime_amount=lifetime_amount, kind=kind,
        reason=reason, note=(note or "")[:500], source_type=source_type, source_id=source_id,
        category_id=category_id, actor=actor if actor is not None and actor.is_authenticated else None,
        idempotency_key=key, reverses=reverses, balance_after=account.balance + amount, created_at=at,
    )
    entry.duplicate = False
    PointsAccount.objects.filter(member_id=account.member_id).update(
        balance=F("balance") + amount, lifetime_earned=F("lifetime_earned") + lifetime_amount, updated_at=at
    )
    old_lifetime = account.lifetime_earned
    account.balance += amount
    account.lifetime_earned += lifetime_amount
    _bump_periods(member_id=account.member_id, category_id=category_id, delta=lifetime_amount,
                  at=period_at or at)
    extension.points_changed.send(member_id=account.member_id, entry=entry, old_lifetime=old_lifetime,
                                  new_lifetime=account.lifetime_earned, period_at=period_at or at)
    return entry


def _existing(key):
    """The entry already written under this key (marked .duplicate = True), or None."""
    entry = PointsEntry.objects.filter(idempotency_key=key).first()
    if entry is not None:
        entry.duplicate = True
    return entry


# --- the one write path of awards and spends ------------------------------------------------------
def _write(*, member_id, amount, lifetime, kind, reason, key, at, note="", source_type="", source_id="",
           category_id=None, actor=None, daily_cap=None, refuse_short=False):
    """Append one ledger row for an award (amount > 0) or a spend (amount < 0) and move the balance.

    `lifetime` is "same" (lifetime earned moves with the amount) or a number. With `daily_cap` the
    amount is cut to what the member may still earn from `reason` today (None when nothing is left);
    with `refuse_short` a balance that would go below zero raises InsufficientPoints. A key already
    written returns that entry (marked .duplicate = True)."""
    actor_id = actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None
    args = dict(member_id=member_id, amount=amount, lifetime=lifetime, kind=kind, reason=reason, key=key, at=at,
                note=(note or "")[:500], source_type=source_type, source_id=source_id, category_id=category_id,
                actor_id=actor_id, daily_cap=daily_cap, refuse_short=refuse_short)
    if connection.vendor == "postgresql":
        return _write_pg(**args)
    return _write_orm(**args, actor=actor)


@transaction.atomic
def _write_orm(*, member_id, amount, lifetime, kind, reason, key, at, note, source_type, source_id, category_id,
               actor_id, daily_cap, refuse_short, actor):
    account = _lock_account(member_id)
    existing = _existing(key)
    if existing is not None:
        return existing
    if daily_cap:
        start, end = day_bounds(local_day(at))
        earned_today = PointsEntry.objects.filter(
            member_id=member_id, reason=reason, kind=PointsEntry.Kind.EARN, created_at__gte=start, created_at__lt=end,
        ).aggregate(s=Sum("amount"))["s"] or 0
        amount = min(amount, daily_cap - earned_today)
        if amount <= 0:
            return None
    if refuse_short and account.balance + amount < 0:
        raise InsufficientPoints(balance=account.balance, amount=-amount)
    return _append(account=account, amount=amount, lifetime_amount=amount if lifetime == "same" else lifetime,
                   kind=kind, reason=reason, key=key, note=note, source_type=source_type, source_id=source_id,
                   category_id=category_id, actor=actor, at=at)


_PG_WRITE = (
    "SELECT * FROM points_ledger_write(%s::bigint, %s::integer, %s::integer, %s::varchar, %s::varchar, %s::varchar, "
    "%s::varchar, %s::varchar, %s::bigint, %s::bigint, %s::varchar, %s::timestamptz, %s::integer, %s::timestamptz, "
    "%s::timestamptz, %s::boolean, %s::date, %s::date, %s::date)"
)


def _write_pg(*, member_id, amount, lifetime, kind, reason, key, at, note, source_type, source_id, category_id,
              actor_id, daily_cap, refuse_short):
    """One statement, one round trip: the server-side function points_ledger_write (migration
    points/0003) locks the account row, then checks the key, the daily cap and the balance, appends
    the ledger row, moves the balance and bumps the period totals, each with a snapshot taken after
    the lock. Outside a transaction the statement is its own transaction."""
    starts = period_starts(local_day(at))
    day_start, day_end = day_bounds(local_day(at))
    params = [member_id, amount, None if lifetime == "same" else lifetime, str(kind), reason, note, source_type,
              source_id, category_id, actor_id, key, at, daily_cap, day_start, day_end, refuse_short,
              starts[PointsPeriodTotal.WEEK], starts[PointsPeriodTotal.MONTH], starts[PointsPeriodTotal.ALL]]
    with connection.cursor() as cursor:
        cursor.execute(_PG_WRITE, params)
        status, new_lifetime, balance, entry_id, written, lifetime_amount = cursor.fetchone()
    if status == "dup":
        return _existing(key) or PointsEntry.objects.get(pk=entry_id)
    if status == "capped":
        return None
    if status == "short":
        raise InsufficientPoints(balance=balance, amount=-amount)
    entry = PointsEntry(
        id=entry_id, member_id=member_id, amount=written, lifetime_amount=lifetime_amount, kind=kind, reason=reason,
        note=note, source_type=source_type, source_id=source_id, category_id=category_id, actor_id=actor_id,
        idempotency_key=key, reverses=None, balance_after=balance, created_at=at,
    )
    entry._state.adding = False
    entry.duplicate = False
    extension.points_changed.send(member_id=member_id, entry=entry, old_lifetime=new_lifetime - lifetime_amount,
                                  new_lifetime=new_lifetime, period_at=at)
    return entry


# --- earning -----------------------------------------------------------------------------------
def points_award(*, member, rule_code, source=None, source_type="", source_id="", category=None,
                 actor=None, amount=None, key_extra="", note=""):
    """Award points for an action under an earning rule.

    The rule gives the points (or `amount` overrides the base, for table-driven bonuses); the
    category and time-boxed multipliers apply, then the rule's daily cap. Returns the ledger entry,
    the existing one when this (member, rule, source, key_extra) was already awarded, or None when
    the rule is switched off, the cap is reached or the multiplied amount is zero.

    For later issues: `points_award(member=m, rule_code="poll_vote", source=poll)`."""
    rule_code = _clean_code(rule_code, field="rule_code")
    rule = selectors.rule_get(rule_code)
    if rule is None:
        raise InvalidInput(_("Unknown earning rule “%(code)s”.") % {"code": rule_code}, code="unknown_rule",
                           field="rule_code")
    if member is None or not getattr(member, "pk", None):
        raise InvalidInput(_("Points need a member."), field="member")
    base = rule.points if amount is None else _clean_amount(amount)
    if source is not None:
        source_type, source_id = source_ref(source)
    category_id = category.pk if category is not None and hasattr(category, "pk") else category
    key = _key(member.pk, rule_code, source_type, source_id, key_extra) if key_extra else _key(
        member.pk, rule_code, source_type, source_id)
    if not rule.is_active or base <= 0:
        return None
    now = timezone.now()
    mult = selectors.multiplier_for(rule_code=rule_code, category_id=category_id, at=now)
    points = int((Decimal(base) * mult).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    if points <= 0:
        return None
    return _write(member_id=member.pk, amount=points, lifetime="same", kind=PointsEntry.Kind.EARN,
                  reason=rule_code, key=key, note=note, source_type=source_type, source_id=source_id,
                  category_id=category_id, actor=actor, at=now, daily_cap=rule.daily_cap or None)


# --- spending ----------------------------------------------------------------------------------
def points_spend(*, member, amount, reason, source=None, key="", actor=None, note=""):
    """Spend points (lotteries, make-up check-ins, ...). Locks the balance row and refuses with
    InsufficientPoints when it is short; nothing is written then. Idempotent per
    (member, reason, source or key): a retry returns the first entry."""
    amount = _clean_amount(amount)
    reason = _clean_code(reason)
    source_type, source_id = source_ref(source)
    if not (source_id or key):
        raise InvalidInput(_("A spend needs a source or an idempotency key."), field="key")
    idem = _key(member.pk, "spend", reason, source_type, source_id, key)
    return _write(member_id=member.pk, amount=-amount, lifetime=0, kind=PointsEntry.Kind.SPEND, reason=reason,
                  key=idem, note=note, source_type=source_type, source_id=source_id, actor=actor,
                  at=timezone.now(), refuse_short=True)


# --- staff -------------------------------------------------------------------------------------
@transaction.atomic
def points_adjust(*, actor, member, amount, reason, key=""):
    """A manual grant (amount > 0, counts towards lifetime earned) or deduction (amount < 0, refused
    when the balance is short) by staff, with a required reason recorded in the audit log.
    `key` (e.g. a form's one-time token) makes a double submit write once."""
    permissions.check_adjust_points(actor)
    amount = _clean_amount(amount, allow_negative=True)
    try:
        reason = clean_reason(reason)
    except AuditReasonMissing:
        raise InvalidInput(_("Say why: a reason is required."), field="reason") from None
    key = str(key or "").strip()[:64]
    if not key:
        import uuid

        key = uuid.uuid4().hex
    kind = PointsEntry.Kind.GRANT if amount > 0 else PointsEntry.Kind.DEDUCT
    idem = _key(member.pk, kind, key)
    account = _lock_account(member.pk)
    existing = _existing(idem)
    if existing is not None:
        return existing
    if amount < 0 and account.balance < -amount:
        raise InsufficientPoints(balance=account.balance, amount=-amount)
    entry = _append(account=account, amount=amount, lifetime_amount=amount if amount > 0 else 0, kind=kind,
                    reason=PointsRule.MANUAL_GRANT if amount > 0 else "manual_deduction", key=idem, note=reason,
                    actor=actor)
    audit_record(actor=actor, action=f"points.{kind}", reason=reason, target=entry, subject=member,
                 data={"amount": amount, "balance_after": entry.balance_after})
    return entry


# --- reversals ---------------------------------------------------------------------------------
@transaction.atomic
def points_reverse(*, entry, note="", actor=None):
    """Take back what one ledger entry did with a compensating row, once: a second call returns
    the first reversal. With an `actor` (a staff decision) a reason is required and audited."""
    if entry.kind == PointsEntry.Kind.REVERSAL:
        raise InvalidInput(_("A reversal cannot itself be reversed."), code="reversal")
    if actor is not None:
        permissions.check_adjust_points(actor)
        try:
            note = clean_reason(note)
        except AuditReasonMissing:
            raise InvalidInput(_("Say why: a reason is required."), field="reason") from None
    account = _lock_account(entry.member_id)
    idem = "rev:" + entry.idempotency_key
    existing = _existing(idem)
    if existing is not None:
        return existing
    reversal = _append(
        account=account, amount=-entry.amount, lifetime_amount=-entry.lifetime_amount,
        kind=PointsEntry.Kind.REVERSAL, reason=entry.reason, key=idem, note=note,
        source_type=entry.source_type, source_id=entry.source_id, category_id=entry.category_id,
        actor=actor, reverses=entry, period_at=entry.created_at,
    )
    if actor is not None:
        audit_record(actor=actor, action="points.reverse", reason=note, target=reversal,
                     subject=entry.member, data={"reversed_entry": entry.pk, "amount": reversal.amount})
    return reversal


# --- keeping awards in step with the forum -----------------------------------------------------
def _sync_earning(*, member_id, rule_code, source_type, source_id, extra, desired, category_id, note=""):
    """Make the ledger agree with the forum's current state for one earning: award when the thing
    exists and is visible but holds no active earning, reverse when it is gone but still holds one.
    Safe to run any number of times, in any order, after any change (retries included)."""
    _lock_account(member_id)  # serialises syncs for this member
    prefix = _key(member_id, rule_code, source_type, source_id, extra) + "#"
    earns = [
        e for e in PointsEntry.objects.filter(
            member_id=member_id, source_type=source_type, source_id=source_id, reason=rule_code,
            kind=PointsEntry.Kind.EARN,
        ).select_related("reversed_by")
        if e.idempotency_key.startswith(prefix)
    ]

    def is_active(e):
        try:
            return e.reversed_by is None
        except PointsEntry.DoesNotExist:
            return True

    active = [e for e in earns if is_active(e)]
    if desired and not active:
        from forum.models import User

        member = User(pk=member_id)
        return points_award(member=member, rule_code=rule_code, source_type=source_type, source_id=source_id,
                            category=category_id, key_extra=f"{extra}#{len(earns)}", note=note)
    if not desired:
        for entry in active:
            points_reverse(entry=entry, note=note)
    return None


@transaction.atomic
def points_sync_post(*, post_id):
    """Award or take back the points of one post (topic +2 for an opening post, reply +1) and of
    the upvotes it received, after it was created, hidden, deleted, restored or its topic hidden."""
    from forum.models import Post, PostVote

    post = Post.objects.select_related("topic").filter(pk=post_id).first()
    if post is None:
        return
    rule_code = PointsRule.TOPIC_CREATED if post.number == 1 else PointsRule.REPLY_CREATED
    visible = post.is_visible and not (post.number == 1 and post.topic.is_hidden)
    _sync_earning(member_id=post.author_id, rule_code=rule_code, source_type="forum.post", source_id=str(post.pk),
                  extra="", desired=visible, category_id=post.topic.category_id)
    voters = set(PostVote.objects.filter(post_id=post.pk, value=1).values_list("user_id", flat=True))
    voters |= _voters_with_earnings(post)
    for voter_id in sorted(voters):
        _sync_upvote(post=post, voter_id=voter_id)


def _voters_with_earnings(post):
    prefix = f"{post.author_id}:{PointsRule.UPVOTE_RECEIVED}:forum.post:{post.pk}:v"
    keys = PointsEntry.objects.filter(
        member_id=post.author_id, source_type="forum.post", source_id=str(post.pk),
        reason=PointsRule.UPVOTE_RECEIVED, kind=PointsEntry.Kind.EARN,
    ).values_list("idempotency_key", flat=True)
    return {int(k[len(prefix):].split("#")[0]) for k in keys if k.startswith(prefix)}


def _sync_upvote(*, post, voter_id):
    from forum.models import PostVote

    upvoted = PostVote.objects.filter(post_id=post.pk, user_id=voter_id, value=1).exists()
    visible = post.is_visible and not (post.number == 1 and post.topic.is_hidden)
    _sync_earning(member_id=post.author_id, rule_code=PointsRule.UPVOTE_RECEIVED, source_type="forum.post",
                  source_id=str(post.pk), extra=f"v{voter_id}",
                  desired=upvoted and visible and voter_id != post.author_id,
                  category_id=post.topic.category_id)


@transaction.atomic
def points_sync_upvote(*, post_id, voter_id):
    """+1 per distinct member who upvotes a post; taken back when the upvote is withdrawn or turned
    into a downvote, given again if it comes back (a new generation of the key, never a duplicate)."""
    from forum.models import Post

    post = Post.objects.select_related("topic").filter(pk=post_id).first()
    if post is None:
        return
    _sync_upvote(post=post, voter_id=voter_id)


@transaction.atomic
def points_sync_featured(*, source_type, source_id):
    """The featured (精华) points of one topic ("forum.topic") or post ("forum.post"): +5 by default
    (rule "featured") to its author while it is featured, taken back once when it is unfeatured,
    paid again (a new generation of the key) if it is featured again. Safe to run any number of times."""
    from forum.models import Post, Topic

    model = {"forum.topic": Topic, "forum.post": Post}.get(source_type)
    if model is None:
        raise InvalidInput(_("Only topics and posts can be featured."), field="source_type")
    obj = model.objects.filter(pk=source_id).first()
    if obj is None:
        return None
    category_id = obj.category_id if model is Topic else obj.topic.category_id
    return _sync_earning(member_id=obj.author_id, rule_code=PointsRule.FEATURED, source_type=source_type,
                         source_id=str(obj.pk), extra="", desired=obj.is_featured, category_id=category_id)


@transaction.atomic
def points_reverse_source(*, actor, source_type, source_id, note, member=None):
    """Staff: take back every active earning from one source (a vote ring found later, spam).
    Returns the reversals written."""
    permissions.check_adjust_points(actor)
    qs = PointsEntry.objects.filter(source_type=source_type, source_id=str(source_id),
                                    kind__in=[PointsEntry.Kind.EARN, PointsEntry.Kind.GRANT],
                                    reversed_by__isnull=True)
    if member is not None:
        qs = qs.filter(member_id=member.pk)
    return [points_reverse(entry=e, note=note, actor=actor) for e in qs.order_by("id")]


# --- transfers between members (tips, bounties) -----------------------------------------------
def points_account_lock(*, member_id):
    """Lock a member's account row until the transaction ends, for callers that move points
    between two members and must take both locks in a fixed (id) order first."""
    return _lock_account(member_id)


def points_credit(*, member, amount, reason, source=None, key="", actor=None, note=""):
    """Credit points that another member paid (a tip received): the other half of a points_spend
    in the same transaction. No earning rule and no multiplier apply (a transfer must not mint
    points) and it does not count towards lifetime earned (levels cannot be bought with tips).
    Idempotent per (member, reason, source or key) like points_spend."""
    amount = _clean_amount(amount)
    reason = _clean_code(reason)
    source_type, source_id = source_ref(source)
    if not (source_id or key):
        raise InvalidInput(_("A spend needs a source or an idempotency key."), field="key")
    idem = _key(member.pk, "credit", reason, source_type, source_id, key)
    return _write(member_id=member.pk, amount=amount, lifetime=0, kind=PointsEntry.Kind.EARN, reason=reason,
                  key=idem, note=note, source_type=source_type, source_id=source_id, actor=actor,
                  at=timezone.now())

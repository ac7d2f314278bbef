"""Every write of a bounty. The asker's points leave their balance when the bounty is offered (a
spend entry, the escrow, keyed on the topic); every payout is a credit keyed on the bounty and the
member, written under the bounty's row lock with the status change, so two accepts at once, or an
expiry task retried, pay once."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import audit_record
from engagement.points import services as points
from forum import hooks
from forum.cache import bump_topic
from forum.errors import Conflict, InvalidInput, NotAllowed
from forum.models import Post, Topic
from forum.permissions import check_member, check_moderate
from forum.services import notification_create

from . import permissions
from .models import Bounty, BountyPayout
from .rules import bounty_rules

SECTION_KEY = "bounty"
OPEN_KEY = "bounty_open"  # carried while open: the asker's accept buttons need no query (no renderer)


def clean_amount(amount):
    rules = bounty_rules()
    if isinstance(amount, str):
        amount = int(amount) if amount.strip().isdigit() else None
    if isinstance(amount, bool) or not isinstance(amount, int) or not rules["MIN_AMOUNT"] <= amount <= rules["MAX_AMOUNT"]:
        raise InvalidInput(_("A bounty is between %(lo)d and %(hi)d points.") % {
            "lo": rules["MIN_AMOUNT"], "hi": rules["MAX_AMOUNT"]}, field="amount")
    return amount


@transaction.atomic
def bounty_offer(*, actor, topic, amount, now=None):
    """Put `amount` of the asker's points on their topic. The spend is the escrow: refused with
    InsufficientPoints when the balance is short, and written once per topic."""
    check_member(actor)
    amount = clean_amount(amount)
    if topic.author_id != actor.pk:
        raise NotAllowed(_("Only the topic's author may offer a bounty on it."), code="not_author")
    # the topic's row lock serialises a double-submitted offer (then the account's, as every topic write)
    Topic.objects.select_for_update(of=("self",)).filter(pk=topic.pk).values_list("pk", flat=True).first()
    if Bounty.objects.filter(topic_id=topic.pk).exists():
        raise Conflict(_("This topic already has a bounty."), code="bounty_exists")
    rules = bounty_rules()
    now = now or timezone.now()
    escrow = points.points_spend(member=actor, amount=amount, reason="bounty_escrow", source=topic,
                                 note=f"topic {topic.pk}")
    rule = rules["EXPIRY_RULE"] if rules["EXPIRY_RULE"] in Bounty.ExpiryRule.values else Bounty.ExpiryRule.REFUND
    bounty = Bounty.objects.create(topic=topic, asker=actor, amount=amount, expiry_rule=rule, escrow_entry=escrow,
                                   expires_at=now + timedelta(days=rules["DAYS"]), created_at=now)
    hooks.topic_sections.show(topic_id=topic.pk, key=SECTION_KEY)
    hooks.topic_sections.show(topic_id=topic.pk, key=OPEN_KEY)
    return bounty


def _lock(bounty_id=None, topic_id=None):
    qs = Bounty.objects.select_for_update(of=("self",)).select_related("topic", "asker")
    bounty = qs.filter(pk=bounty_id).first() if bounty_id else qs.filter(topic_id=topic_id).first()
    if bounty is None:
        raise InvalidInput(_("There is no such bounty."), code="not_found")
    return bounty


def _pay(*, bounty, member, amount, kind, post=None, actor=None):
    reason = "bounty_refund" if kind == BountyPayout.Kind.REFUND else "bounty_paid"
    entry = points.points_credit(member=member, amount=amount, reason=reason, source=bounty, actor=actor,
                                 note=f"topic {bounty.topic_id}")
    payout, _created = BountyPayout.objects.get_or_create(
        bounty=bounty, member=member, defaults={"post": post, "kind": kind, "amount": amount, "entry": entry})
    return payout


def _close(bounty, status, *, actor=None, post=None, now=None):
    bounty.status = status
    bounty.accepted_post = post
    bounty.closed_at = now or timezone.now()
    bounty.closed_by = actor
    bounty.save(update_fields=["status", "accepted_post", "closed_at", "closed_by"])
    hooks.topic_sections.hide(topic_id=bounty.topic_id, key=OPEN_KEY)
    bump_topic(bounty.topic_id)


def _answer(bounty, post_id):
    post = Post.objects.select_related("author").filter(pk=post_id, topic_id=bounty.topic_id).first()
    if post is None or post.number == 1 or not post.is_visible:
        raise InvalidInput(_("Choose a visible reply in this topic."), code="not_an_answer", field="post")
    if post.author_id == bounty.asker_id:
        raise InvalidInput(_("Your own reply cannot win your bounty."), code="own_answer", field="post")
    return post


def _notify_paid(bounty, payout, message):
    # in the payout's own transaction: the notification is written (and published) with the payment or not at all
    notification_create(recipient=payout.member, kind="system", topic=bounty.topic, post=payout.post, message=message)


@transaction.atomic
def bounty_accept(*, actor, topic_id, post_id):
    """The asker accepts one answer: its author receives the bounty. Exactly once: a second accept
    (the same or another answer, at the same time or later) is refused with a Conflict."""
    bounty = _lock(topic_id=topic_id)
    permissions.check_accept(actor, bounty)
    if not bounty.is_open:
        raise Conflict(_("This bounty is already closed."), code="bounty_closed")
    post = _answer(bounty, post_id)
    payout = _pay(bounty=bounty, member=post.author, amount=bounty.amount, kind=BountyPayout.Kind.ACCEPTED,
                  post=post, actor=actor)
    _close(bounty, Bounty.Status.ACCEPTED, actor=actor, post=post)
    _notify_paid(bounty, payout, _("Your answer was accepted: you received the %(n)d-point bounty.")
                 % {"n": bounty.amount})
    return bounty


def _top_answers(bounty, limit):
    seen, picks = set(), []
    qs = (Post.objects.select_related("author").filter(topic_id=bounty.topic_id, number__gt=1, score__gt=0,
                                                        is_hidden=False, is_deleted=False, is_pending=False)
          .exclude(author_id=bounty.asker_id).order_by("-score", "number"))
    for post in qs[: limit * 10]:
        if post.author_id not in seen:
            seen.add(post.author_id)
            picks.append(post)
        if len(picks) == limit:
            break
    return picks


def _refund(bounty, *, actor=None):
    payout = _pay(bounty=bounty, member=bounty.asker, amount=bounty.amount, kind=BountyPayout.Kind.REFUND,
                  actor=actor)
    _notify_paid(bounty, payout, _("Your bounty of %(n)d points was refunded.") % {"n": bounty.amount})


@transaction.atomic
def bounty_expire(*, bounty_id, now=None):
    """Close a bounty past its deadline by its expiry rule. Safe to run twice (a retried or a
    duplicated task): a closed or not yet due bounty is left alone. Returns the status."""
    now = now or timezone.now()
    bounty = _lock(bounty_id=bounty_id)
    if not bounty.is_open or bounty.expires_at > now:
        return bounty.status
    picks = _top_answers(bounty, max(1, min(bounty_rules()["SPLIT_TOP"], bounty.amount))) \
        if bounty.expiry_rule == Bounty.ExpiryRule.SPLIT else []
    if not picks:
        _refund(bounty)
        _close(bounty, Bounty.Status.REFUNDED, now=now)
        return bounty.status
    share, extra = divmod(bounty.amount, len(picks))
    for i, post in enumerate(picks):
        amount = share + (1 if i < extra else 0)
        payout = _pay(bounty=bounty, member=post.author, amount=amount, kind=BountyPayout.Kind.SPLIT, post=post)
        _notify_paid(bounty, payout, _("An expired bounty was shared among the best answers: you received "
                                       "%(n)d points.") % {"n": amount})
    _close(bounty, Bounty.Status.SPLIT, now=now)
    return bounty.status


@transaction.atomic
def bounty_resolve(*, actor, bounty_id, reason, post_id=None):
    """A moderator resolves an abandoned bounty: award it to one answer, or (no post) refund the
    asker. Audited; refused once the bounty is closed."""
    bounty = _lock(bounty_id=bounty_id)
    check_moderate(actor, bounty.topic)
    if not bounty.is_open:
        raise Conflict(_("This bounty is already closed."), code="bounty_closed")
    post = None
    if post_id:
        post = _answer(bounty, post_id)
        payout = _pay(bounty=bounty, member=post.author, amount=bounty.amount, kind=BountyPayout.Kind.ACCEPTED,
                      post=post, actor=actor)
        _notify_paid(bounty, payout, _("A moderator awarded you a %(n)d-point bounty.") % {"n": bounty.amount})
    else:
        _refund(bounty, actor=actor)
    audit_record(actor=actor, action="bounty.resolve", reason=reason, target=bounty, scope_id=bounty.topic.category_id,
                 before={"status": Bounty.Status.OPEN},
                 after={"status": Bounty.Status.RESOLVED, "post": post.pk if post else None,
                        "refunded": post is None})
    _close(bounty, Bounty.Status.RESOLVED, actor=actor, post=post)
    return bounty

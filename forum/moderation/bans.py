"""Silence or ban a member, temporary (with an end date) or permanent, always with a reason; lift a
sanction; remove all posts of a spammer.

A banned member's sessions stop working at once (User.get_session_auth_hash changes while banned,
so every session and WebSocket of theirs fails the hash check), their API tokens are refused, and
signing in shows the ban page with the reason and the end date. A silenced member may read but not
post, vote or report. Only staff and global moderators sanction members, and only staff sanction
moderators; staff cannot be sanctioned."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import hooks, permissions, services
from ..errors import Conflict, InvalidInput, NotAllowed
from ..models import Notification, Post, Topic, User
from .common import clean_reason, parse_until, record
from .models import MemberSanction, ModerationItem

KINDS = {MemberSanction.Kind.BAN: ("banned_at", "banned_until"),
         MemberSanction.Kind.SILENCE: ("silenced_at", "silenced_until")}


def check_member_view(actor, member):
    """May `actor` read `member`'s moderation page (posts, reports, sanctions, notes) and write notes? Staff
    and global moderators, about anyone (staff included: their names link here from the audit log)."""
    permissions.check_moderate(actor)


def can_sanction(actor, member):
    try:
        check_sanction(actor, member)
    except NotAllowed:
        return False
    return True


def check_sanction(actor, member):
    permissions.check_moderate(actor)
    if member.pk == actor.pk:
        raise NotAllowed(_("You cannot sanction yourself."), code="self")
    if member.is_staff or member.is_superuser:
        raise NotAllowed(_("Staff members cannot be sanctioned."), code="staff")
    if permissions.is_moderator(member) and not actor.is_staff:
        raise NotAllowed(_("Only staff may sanction a moderator."), code="moderator")


def _apply(member, kind, since, until):
    at, until_field = KINDS[kind]
    setattr(member, at, since)
    setattr(member, until_field, until)
    member.save(update_fields=[at, until_field])


@transaction.atomic
def member_sanction(*, actor, member, kind, reason, until=None):
    """Ban or silence `member` until `until` (None: permanent)."""
    if kind not in KINDS:
        raise InvalidInput(_("Unknown sanction."), field="kind")
    reason = clean_reason(reason, required=True)
    until = parse_until(until)
    member = User.objects.select_for_update().get(pk=member.pk)
    check_sanction(actor, member)
    now = timezone.now()
    at_field, until_field = KINDS[kind]
    before = {"active": member._sanction_active(getattr(member, at_field), getattr(member, until_field)),
              "until": getattr(member, until_field).isoformat() if getattr(member, until_field) else None}
    MemberSanction.objects.filter(member=member, kind=kind, lifted_at__isnull=True).update(
        lifted_at=now, lifted_by=actor, lift_reason=_("Replaced by a new %(kind)s.") % {"kind": MemberSanction.Kind(kind).label})
    sanction = MemberSanction.objects.create(member=member, kind=kind, reason=reason, starts_at=now, ends_at=until,
                                             created_by=actor)
    _apply(member, kind, now, until)
    record(actor=actor, action=f"member_{kind}", target=member, reason=reason, subject=member, before=before,
           after={"active": True, "until": until.isoformat() if until else None}, data={"sanction": sanction.pk})
    if kind == MemberSanction.Kind.SILENCE:
        message = (_("You have been silenced until %(until)s: %(reason)s") % {
            "until": timezone.localtime(until).strftime("%Y-%m-%d %H:%M"), "reason": reason} if until
            else _("You have been silenced: %(reason)s") % {"reason": reason})
        services.notification_create(recipient=member, kind=Notification.Kind.SYSTEM, message=message, actor=actor)
    hooks.member_sanctioned.send(member=member, actor=actor, kind=kind, active=True)
    return sanction


@transaction.atomic
def sanction_lift(*, actor, sanction, reason):
    reason = clean_reason(reason, required=True)
    sanction = MemberSanction.objects.select_for_update(of=("self",)).select_related("member").get(pk=sanction.pk)
    check_sanction(actor, sanction.member)
    if sanction.lifted_at is not None:
        raise Conflict(_("This sanction was already lifted."))
    now = timezone.now()
    sanction.lifted_at, sanction.lifted_by, sanction.lift_reason = now, actor, reason
    sanction.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    member = User.objects.select_for_update().get(pk=sanction.member_id)
    _apply(member, sanction.kind, None, None)
    record(actor=actor, action=f"member_un{sanction.kind}", target=member, reason=reason, subject=member,
           before={"active": True}, after={"active": False}, data={"sanction": sanction.pk})
    hooks.member_sanctioned.send(member=member, actor=actor, kind=sanction.kind, active=False)
    return sanction


def active_sanction(member, kind):
    """The sanction that explains a member's current ban or silence (for the ban page)."""
    return (MemberSanction.objects.filter(member=member, kind=kind, lifted_at__isnull=True)
            .order_by("-starts_at", "-id").first())


@transaction.atomic
def member_remove_all_posts(*, actor, member, reason):
    """"Remove all posts by this spammer": soft-delete every visible post (their topics are hidden
    with their opening posts) and close the open queue items about them as upheld."""
    reason = clean_reason(reason, required=True)
    check_sanction(actor, member)
    posts = list(Post.objects.select_related("topic__category").filter(author=member, is_deleted=False)
                 .order_by("-number"))
    for post in posts:
        services.post_visibility_set(actor=actor, post=post, field="is_deleted", value=True)
        if post.number == 1:
            services.topic_flag_set(actor=actor, topic=post.topic, field="is_hidden", value=True)
    hidden_topics = Topic.objects.filter(author=member, is_hidden=True).count()
    now = timezone.now()
    items = ModerationItem.objects.filter(status=ModerationItem.Status.OPEN).filter(
        post__author=member) | ModerationItem.objects.filter(status=ModerationItem.Status.OPEN, member=member)
    closed = 0
    for item in items.distinct():
        from .queue import item_event_record

        item.status, item.resolved_by, item.resolved_at = ModerationItem.Status.RESOLVED, actor, now
        item.resolution = (ModerationItem.Resolution.REJECTED if item.kind == ModerationItem.Kind.APPROVAL
                           else ModerationItem.Resolution.UPHELD)
        item.resolution_note = reason
        item.save(update_fields=["status", "resolved_by", "resolved_at", "resolution", "resolution_note"])
        item_event_record(item, actor, "resolved", reason)
        closed += 1
    record(actor=actor, action="member_remove_posts", target=member, reason=reason, subject=member,
           before={"visible_posts": len(posts)}, after={"visible_posts": 0},
           data={"deleted_posts": [p.pk for p in posts], "hidden_topics": hidden_topics, "closed_items": closed})
    return len(posts)

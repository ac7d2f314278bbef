"""Every write of the groups: one action per verb. Each checks who may do it, writes, records the audit
entry (forum.moderation.common.record, the same log as site moderation) and notifies, in one transaction.
Deputies and owners moderate topics and posts of their group through forum/moderation/ itself: they hold
a category moderator appointment on the group's category while their powers are on."""

from django.conf import settings
from django.contrib.auth.models import Group as AuthGroup
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models import Q as models_Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .. import cache as fragment_cache
from .. import permissions as forum_permissions
from .. import services as forum_services
from ..errors import Conflict, InvalidInput, NotAllowed
from ..markdown import render_markdown
from ..models import Category, CategoryModerator, Notification, Post, User
from ..moderation.common import clean_reason, parse_until, record
from ..ratelimit import check_write_rate
from . import permissions
from .models import Application, MemberGroup, Membership

NAME_MAX, PURPOSE_MAX, RULES_MAX = 60, 300, 10000
QUESTIONS_MAX, QUESTION_MAX, ANSWER_MAX = 5, 200, 1000


def pending_limit():
    return settings.HUOLI.get("GROUP_PENDING_APPLICATIONS_MAX", 3)


# --- validation --------------------------------------------------------------------------------
def _clean_text(value, *, field, maximum, required=False, label=""):
    value = " ".join(str(value or "").split())
    if required and not value:
        raise InvalidInput(_("%(field)s cannot be empty.") % {"field": label or field}, field=field)
    if len(value) > maximum:
        raise InvalidInput(_("%(field)s is too long (at most %(n)d characters).") % {"field": label or field,
                                                                                   "n": maximum}, field=field)
    return value


def _clean_questions(questions):
    if isinstance(questions, str):
        questions = questions.splitlines()
    cleaned = [" ".join(str(q).split()) for q in (questions or ())]
    cleaned = [q for q in cleaned if q]
    if len(cleaned) > QUESTIONS_MAX:
        raise InvalidInput(_("At most %(n)d questions.") % {"n": QUESTIONS_MAX}, field="questions")
    for q in cleaned:
        if len(q) > QUESTION_MAX:
            raise InvalidInput(_("A question is too long (at most %(n)d characters).") % {"n": QUESTION_MAX},
                               field="questions")
    return cleaned


def _choice(value, choices, field):
    if value not in choices.values:
        raise InvalidInput(_("Choose one of the offered options."), field=field)
    return value


def _category_access(group):
    """The group's category reads through its members' auth group unless the group is public; only
    members post in it."""
    read = None if group.visibility == MemberGroup.Visibility.PUBLIC else group.members_group
    Category.objects.filter(pk=group.category_id).update(read_group=read, post_group=group.members_group,
                                                         name=group.name, description=group.purpose)
    fragment_cache.bump_category(group.category_id)


def _refresh_moderator_flag(member_id):
    active = CategoryModerator.objects.filter(member_id=member_id, is_active=True).exists()
    User.objects.filter(pk=member_id).update(moderates_categories=active)


def _sync_powers(membership, *, actor):
    """Hold a category moderator appointment on the group's category exactly while the membership's
    powers are on: the moderation verbs then work inside the group and nowhere else."""
    active = CategoryModerator.objects.filter(member_id=membership.member_id, category_id=membership.group.category_id,
                                              is_active=True).first()
    if membership.pk is not None and membership.has_powers and active is None:
        CategoryModerator.objects.create(member_id=membership.member_id, category_id=membership.group.category_id,
                                         appointed_by=actor if getattr(actor, "pk", None) else None)
    elif (membership.pk is None or not membership.has_powers) and active is not None:
        active.is_active = False
        active.demoted_at, active.demoted_by = timezone.now(), actor if getattr(actor, "pk", None) else None
        active.demotion_reason = "group"
        active.save(update_fields=["is_active", "demoted_at", "demoted_by", "demotion_reason"])
    _refresh_moderator_flag(membership.member_id)


def _notify(member, actor, group, message, url=""):
    forum_services.notification_create(recipient=member, kind=Notification.Kind.SYSTEM, actor=actor,
                                       url=url or group.get_absolute_url(), message=message)


# --- groups ------------------------------------------------------------------------------------
@transaction.atomic
def group_create(*, actor, name, slug="", purpose="", rules="", visibility=MemberGroup.Visibility.PUBLIC,
                 admission=MemberGroup.Admission.APPLICATION, parent=None, questions=(), handbook_url="",
                 owner=None):
    """Staff create a group with its category and members' auth group; `owner` (default: the actor)
    becomes its first owner."""
    forum_permissions.check_staff(actor)
    name = _clean_text(name, field="name", maximum=NAME_MAX, required=True, label=_("The name"))
    slug = slugify(slug or name, allow_unicode=True)[:50]
    if not slug:
        raise InvalidInput(_("Give the group a short address (letters, digits or dashes)."), field="slug")
    if MemberGroup.objects.filter(slug=slug).exists() or Category.objects.filter(slug=f"g-{slug}").exists():
        raise Conflict(_("A group with the address “%(slug)s” already exists.") % {"slug": slug}, field="slug")
    purpose = _clean_text(purpose, field="purpose", maximum=PURPOSE_MAX, label=_("The purpose"))
    rules = (rules or "").replace("\r\n", "\n").strip()
    if len(rules) > RULES_MAX:
        raise InvalidInput(_("The rules are too long (at most %(n)d characters).") % {"n": RULES_MAX}, field="rules")
    _choice(visibility, MemberGroup.Visibility, "visibility")
    _choice(admission, MemberGroup.Admission, "admission")
    if parent is not None and parent.parent_id is not None:
        raise InvalidInput(_("A sub-group's main group cannot itself be a sub-group."), field="parent")
    members_group, _created = AuthGroup.objects.get_or_create(name=f"group:{slug}"[:150])
    category = Category.objects.create(name=name, slug=f"g-{slug}", description=purpose, color="#7048e8",
                                       position=10_000)
    group = MemberGroup.objects.create(
        name=name, slug=slug, purpose=purpose, rules_source=rules, rules_html=render_markdown(rules) if rules else "",
        visibility=visibility, admission=admission, parent=parent, questions=_clean_questions(questions),
        handbook_url=(handbook_url or "").strip()[:300], category=category, members_group=members_group,
        created_by=actor)
    _category_access(group)
    record(actor=actor, action="group_create", target=group, fallback=_("created"), category=category,
           after={"visibility": visibility, "admission": admission, "parent": parent.pk if parent else None})
    _add_member(group=group, member=owner or actor, role=Membership.Role.OWNER, via=Membership.Via.FOUNDER,
                actor=actor)
    return group


@transaction.atomic
def group_edit(*, actor, group, name=None, purpose=None, rules=None, visibility=None, admission=None,
               questions=None, handbook_url=None, reason=""):
    """Staff and the group's owners edit its description, rules, visibility, admission and questions."""
    group = MemberGroup.objects.select_for_update().get(pk=group.pk)
    permissions.check_owner(actor, group)
    before = {"name": group.name, "visibility": group.visibility, "admission": group.admission}
    if name is not None:
        group.name = _clean_text(name, field="name", maximum=NAME_MAX, required=True, label=_("The name"))
    if purpose is not None:
        group.purpose = _clean_text(purpose, field="purpose", maximum=PURPOSE_MAX, label=_("The purpose"))
    if rules is not None:
        rules = rules.replace("\r\n", "\n").strip()
        if len(rules) > RULES_MAX:
            raise InvalidInput(_("The rules are too long (at most %(n)d characters).") % {"n": RULES_MAX},
                               field="rules")
        group.rules_source, group.rules_html = rules, render_markdown(rules) if rules else ""
    if visibility is not None:
        group.visibility = _choice(visibility, MemberGroup.Visibility, "visibility")
    if admission is not None:
        group.admission = _choice(admission, MemberGroup.Admission, "admission")
    if questions is not None:
        group.questions = _clean_questions(questions)
    if handbook_url is not None:
        forum_permissions.check_staff(actor)
        group.handbook_url = handbook_url.strip()[:300]
    group.save()
    _category_access(group)
    record(actor=actor, action="group_edit", target=group, reason=clean_reason(reason), fallback=_("edited"),
           category=group.category, before=before,
           after={"name": group.name, "visibility": group.visibility, "admission": group.admission})
    return group


@transaction.atomic
def group_set_cover(*, actor, group, upload):
    """A cover image through the composer's image service (checked, re-encoded, rate-limited)."""
    permissions.check_owner(actor, group)
    image = forum_services.image_upload(actor=actor, upload=upload)
    MemberGroup.objects.filter(pk=group.pk).update(cover=image)
    group.cover = image
    record(actor=actor, action="group_edit", target=group, fallback=_("cover image"), category=group.category,
           after={"cover": image.pk})
    return group


# --- membership --------------------------------------------------------------------------------
def _add_member(*, group, member, role, via, actor):
    """One membership per member and group: the unique constraint decides between concurrent admissions,
    and the loser gets the existing membership (created False)."""
    try:
        with transaction.atomic():
            membership = Membership.objects.create(group=group, member=member, role=role, via=via)
    except IntegrityError:
        return Membership.objects.get(group=group, member=member), False
    member.groups.add(group.members_group)
    MemberGroup.objects.filter(pk=group.pk).update(member_count=F("member_count") + 1)
    membership.group = group
    if membership.has_powers:
        _sync_powers(membership, actor=actor)
    permissions.forget_membership(member, group)
    fragment_cache.bump_category(group.category_id)
    return membership, True


def _drop_member(membership, *, actor):
    group = membership.group
    membership.delete()
    membership.pk = None
    _sync_powers(membership, actor=actor)
    membership.member.groups.remove(group.members_group)
    MemberGroup.objects.filter(pk=group.pk, member_count__gt=0).update(member_count=F("member_count") - 1)
    permissions.forget_membership(membership.member, group)
    fragment_cache.bump_category(group.category_id)


@transaction.atomic
def group_join(*, actor, group):
    """Join an open group."""
    permissions.check_join(actor, group)
    if group.admission != MemberGroup.Admission.OPEN:
        raise NotAllowed(_("This group admits members by application or invitation."), code="not_open")
    check_write_rate(actor, "group_apply")
    membership, _created = _add_member(group=group, member=actor, role=Membership.Role.MEMBER,
                                       via=Membership.Via.OPEN, actor=actor)
    return membership


@transaction.atomic
def group_leave(*, actor, group):
    forum_permissions.check_member(actor)
    membership = Membership.objects.select_for_update().select_related("group", "member").filter(
        group=group, member=actor).first()
    if membership is None:
        raise Conflict(_("You are not a member of this group."), code="not_member")
    if membership.role == Membership.Role.OWNER and not Membership.objects.filter(
            group=group, role=Membership.Role.OWNER).exclude(pk=membership.pk).exists():
        raise Conflict(_("You are the group's only owner: ask staff to appoint another owner first."),
                       code="last_owner")
    _drop_member(membership, actor=actor)
    return group


@transaction.atomic
def application_create(*, actor, group, answers):
    """Apply to a group that admits by application, answering each of its questions."""
    permissions.check_join(actor, group)
    if group.admission != MemberGroup.Admission.APPLICATION:
        raise NotAllowed(_("This group does not take applications."), code="not_application")
    answers = list(answers or ())
    cleaned = []
    for i, question in enumerate(group.questions or ()):
        answer = str(answers[i] if i < len(answers) else "").strip()
        if not answer:
            raise InvalidInput(_("Please answer every question."), field=f"answer_{i}")
        if len(answer) > ANSWER_MAX:
            raise InvalidInput(_("An answer is too long (at most %(n)d characters).") % {"n": ANSWER_MAX},
                               field=f"answer_{i}")
        cleaned.append({"question": question, "answer": answer})
    if Application.objects.filter(group=group, applicant=actor, status=Application.Status.PENDING).exists():
        raise Conflict(_("Your application to this group is already waiting for review."), code="pending")
    limit = pending_limit()
    if Application.objects.filter(applicant=actor, status=Application.Status.PENDING).count() >= limit:
        raise Conflict(_("You have %(n)d applications waiting for review: wait for an answer before applying "
                         "to another group.") % {"n": limit}, code="too_many_pending")
    check_write_rate(actor, "group_apply")
    try:
        with transaction.atomic():
            return Application.objects.create(group=group, applicant=actor, answers=cleaned)
    except IntegrityError:
        raise Conflict(_("Your application to this group is already waiting for review."), code="pending") from None


@transaction.atomic
def application_withdraw(*, actor, application):
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.applicant_id != actor.pk:
        raise NotAllowed(_("This is not your application."))
    if application.status != Application.Status.PENDING:
        raise Conflict(_("This application was already reviewed."), code="reviewed")
    application.status = Application.Status.WITHDRAWN
    application.save(update_fields=["status"])
    return application


@transaction.atomic
def application_decide(*, actor, application, approve, reason=""):
    """Approve or reject an application; the applicant is told, with the reason. The row lock makes
    concurrent decisions wait: the second sees the first's decision and changes nothing."""
    application = (Application.objects.select_for_update(of=("self",)).select_related("group", "applicant")
                   .get(pk=application.pk))
    group = application.group
    permissions.check_manage(actor, group)
    reason = clean_reason(reason, required=not approve)
    if application.applicant_id == actor.pk:
        raise NotAllowed(_("You cannot review your own application."))
    if application.status != Application.Status.PENDING:
        raise Conflict(_("This application was already reviewed."), code="reviewed")
    check_write_rate(actor, "group_manage")
    application.status = Application.Status.APPROVED if approve else Application.Status.REJECTED
    application.reviewed_by, application.reviewed_at, application.decision_reason = actor, timezone.now(), reason
    application.save(update_fields=["status", "reviewed_by", "reviewed_at", "decision_reason"])
    record(actor=actor, action="group_application_" + ("approve" if approve else "reject"), target=application,
           reason=reason, fallback=application.status, subject=application.applicant, category=group.category,
           before={"status": "pending"}, after={"status": application.status})
    if approve:
        _add_member(group=group, member=application.applicant, role=Membership.Role.MEMBER,
                    via=Membership.Via.APPLICATION, actor=actor)
        message = _("Welcome to %(group)s: your application was approved.") % {"group": group.name}
        if reason:
            message += " " + reason
    else:
        message = _("Your application to %(group)s was not approved: %(reason)s") % {"group": group.name,
                                                                                   "reason": reason}
    _notify(application.applicant, actor, group, message)
    return application


@transaction.atomic
def group_invite(*, actor, group, member, reason=""):
    """Staff (and the group's owners) admit a member directly, for example a KOL candidate."""
    permissions.check_owner(actor, group)
    reason = clean_reason(reason)
    if not member.is_active or member.is_banned:
        raise InvalidInput(_("Only active members can join a group."), field="member")
    membership, created = _add_member(group=group, member=member, role=Membership.Role.MEMBER,
                                      via=Membership.Via.INVITATION, actor=actor)
    if not created:
        raise Conflict(_("%(name)s is already a member of this group.") % {"name": member.name},
                       code="already_member")
    Application.objects.filter(group=group, applicant=member, status=Application.Status.PENDING).update(
        status=Application.Status.APPROVED, reviewed_by=actor, reviewed_at=timezone.now(),
        decision_reason=reason or "invited")
    record(actor=actor, action="group_invite", target=membership, reason=reason, fallback=_("invited"),
           subject=member, category=group.category, after={"member": True})
    _notify(member, actor, group, _("You have been invited into %(group)s. Welcome!") % {"group": group.name})
    return membership


def _target_membership(group, member):
    membership = (Membership.objects.select_for_update(of=("self",)).select_related("group__category", "member")
                  .filter(group=group, member=member).first())
    if membership is None:
        raise InvalidInput(_("%(name)s is not a member of this group.") % {"name": member.name}, field="member")
    return membership


def _check_over(actor, membership):
    """Managers act on members; only owners and staff act on deputies and owners; nobody on themselves."""
    if membership.member_id == actor.pk:
        raise NotAllowed(_("You cannot do this to yourself."), code="self")
    if membership.role != Membership.Role.MEMBER:
        permissions.check_owner(actor, membership.group)
        if membership.role == Membership.Role.OWNER and not actor.is_staff:
            raise NotAllowed(_("Only staff may act on a group's owner."), code="owner")
    if membership.member.is_staff and not actor.is_staff:
        raise NotAllowed(_("You cannot act on a staff member."), code="staff")


@transaction.atomic
def member_remove(*, actor, group, member, reason):
    permissions.check_manage(actor, group)
    reason = clean_reason(reason, required=True)
    membership = _target_membership(group, member)
    _check_over(actor, membership)
    check_write_rate(actor, "group_manage")
    role = membership.role
    _drop_member(membership, actor=actor)
    record(actor=actor, action="group_member_remove", target=group, reason=reason, subject=member,
           category=group.category, before={"member": True, "role": role}, after={"member": False})
    _notify(member, actor, group, _("You were removed from %(group)s: %(reason)s") % {"group": group.name,
                                                                                     "reason": reason}, url="/groups/")
    return group


@transaction.atomic
def member_mute(*, actor, group, member, until, reason):
    """A muted member reads the group but may not post in it until `until` (required: a date)."""
    permissions.check_manage(actor, group)
    reason = clean_reason(reason, required=True)
    try:
        until = parse_until(until)
    except ValueError:  # well-formed but impossible, such as 2030-02-30
        raise InvalidInput(_("Enter a date such as 2030-01-31 or 2030-01-31 18:00."), field="until") from None
    if until is None:
        raise InvalidInput(_("Choose until when the member is muted."), field="until")
    membership = _target_membership(group, member)
    _check_over(actor, membership)
    check_write_rate(actor, "group_manage")
    before = {"muted_until": membership.muted_until.isoformat() if membership.muted_until else None}
    membership.muted_until = until
    membership.save(update_fields=["muted_until"])
    record(actor=actor, action="group_member_mute", target=membership, reason=reason, subject=member,
           category=group.category, before=before, after={"muted_until": until.isoformat()})
    _notify(member, actor, group, _("You may not post in %(group)s until %(until)s: %(reason)s") % {
        "group": group.name, "until": timezone.localtime(until).strftime("%Y-%m-%d %H:%M"), "reason": reason})
    return membership


@transaction.atomic
def member_unmute(*, actor, group, member, reason=""):
    permissions.check_manage(actor, group)
    membership = _target_membership(group, member)
    _check_over(actor, membership)
    if membership.muted_until is None:
        raise Conflict(_("This member is not muted."), code="not_muted")
    before = {"muted_until": membership.muted_until.isoformat()}
    membership.muted_until = None
    membership.save(update_fields=["muted_until"])
    record(actor=actor, action="group_member_unmute", target=membership, reason=clean_reason(reason),
           fallback=_("unmuted"), subject=member, category=group.category, before=before, after={"muted_until": None})
    return membership


@transaction.atomic
def kick_advertiser(*, actor, group, member, reason=""):
    """One action for an advertiser who slipped in: remove them from the group, hide every visible post they
    wrote in it (each through the moderation verb, so each is audited), and file a spam report on them
    for the site's moderators."""
    from ..moderation.hide import post_hide
    from ..moderation.models import Report
    from ..moderation.reports import report_create

    permissions.check_manage(actor, group)
    reason = clean_reason(reason) or _("Advertising")
    membership = _target_membership(group, member)
    _check_over(actor, membership)
    check_write_rate(actor, "group_manage")
    posts = list(Post.objects.filter(author=member, topic__category_id=group.category_id, is_hidden=False,
                                     is_deleted=False).select_related("topic__category").order_by("id"))
    for post in posts:
        post_hide(actor=actor, post=post, hidden=True, reason=reason)
    role = membership.role
    _drop_member(membership, actor=actor)
    from ..moderation.models import ModerationItem

    already = ModerationItem.objects.filter(member=member, kind=ModerationItem.Kind.REPORT,
                                            status=ModerationItem.Status.OPEN, reports__reporter=actor).exists()
    if not already:
        report_create(actor=actor, target=member, reason=Report.Reason.SPAM,
                      message=_("Kicked from the group %(group)s as an advertiser.") % {"group": group.name})
    record(actor=actor, action="group_kick_advertiser", target=group, reason=reason, subject=member,
           category=group.category, before={"member": True, "role": role},
           after={"member": False, "posts_hidden": len(posts)})
    return len(posts)


# --- deputies ----------------------------------------------------------------------------------
@transaction.atomic
def deputy_appoint(*, actor, group, member, reason=""):
    """Staff or an owner makes a member a deputy owner. The powers turn on when the deputy acknowledges
    the group's handbook (deputy_acknowledge_handbook)."""
    permissions.check_owner(actor, group)
    reason = clean_reason(reason)
    membership = _target_membership(group, member)
    if membership.role != Membership.Role.MEMBER:
        raise Conflict(_("%(name)s is already an owner or deputy of this group.") % {"name": member.name},
                       code="already_deputy")
    membership.role = Membership.Role.DEPUTY
    membership.handbook_acknowledged_at = None
    membership.suspended_at, membership.suspension_reason = None, ""
    membership.save(update_fields=["role", "handbook_acknowledged_at", "suspended_at", "suspension_reason"])
    record(actor=actor, action="group_deputy_appoint", target=membership, reason=reason, fallback=_("appointed"),
           subject=member, category=group.category, before={"role": "member"}, after={"role": "deputy"})
    _notify(member, actor, group, _("You are now a deputy owner of %(group)s. Read and acknowledge the group "
                                    "handbook to turn your powers on.") % {"group": group.name},
            url=group.get_absolute_url() + "handbook/")
    return membership


@transaction.atomic
def deputy_acknowledge_handbook(*, actor, group):
    forum_permissions.check_member(actor)
    membership = Membership.objects.select_for_update().select_related("group").filter(group=group,
                                                                                        member=actor).first()
    if membership is None or membership.role != Membership.Role.DEPUTY:
        raise NotAllowed(_("Only the group's deputy owners acknowledge its handbook."), code="not_deputy")
    if membership.handbook_acknowledged_at is not None:
        raise Conflict(_("You have already acknowledged the handbook."), code="acknowledged")
    membership.handbook_acknowledged_at = timezone.now()
    membership.save(update_fields=["handbook_acknowledged_at"])
    _sync_powers(membership, actor=actor)
    permissions.forget_membership(actor, group)
    record(actor=actor, action="group_handbook_acknowledge", target=membership, fallback=_("acknowledged"),
           subject=actor, category=group.category, before={"powers": False}, after={"powers": membership.has_powers})
    return membership


@transaction.atomic
def deputy_set_status(*, actor, group, member, status, reason):
    """Suspend a deputy's powers, restore them, or remove the deputy (back to member), with a reason."""
    permissions.check_owner(actor, group)
    reason = clean_reason(reason, required=True)
    membership = _target_membership(group, member)
    if membership.role != Membership.Role.DEPUTY:
        raise InvalidInput(_("%(name)s is not a deputy owner of this group.") % {"name": member.name}, field="member")
    before = {"role": membership.role, "suspended": membership.suspended_at is not None}
    if status == "suspend":
        if membership.suspended_at is not None:
            raise Conflict(_("This deputy is already suspended."), code="suspended")
        membership.suspended_at, membership.suspension_reason = timezone.now(), reason
        message = _("Your deputy powers in %(group)s are suspended: %(reason)s")
    elif status == "restore":
        if membership.suspended_at is None:
            raise Conflict(_("This deputy is not suspended."), code="not_suspended")
        membership.suspended_at, membership.suspension_reason = None, ""
        message = _("Your deputy powers in %(group)s are restored: %(reason)s")
    elif status == "remove":
        membership.role = Membership.Role.MEMBER
        membership.suspended_at, membership.suspension_reason = None, ""
        message = _("You are no longer a deputy owner of %(group)s: %(reason)s")
    else:
        raise InvalidInput(_("Choose suspend, restore or remove."), field="status")
    membership.save(update_fields=["role", "suspended_at", "suspension_reason"])
    _sync_powers(membership, actor=actor)
    record(actor=actor, action=f"group_deputy_{status}", target=membership, reason=reason, subject=member,
           category=group.category, before=before,
           after={"role": membership.role, "suspended": membership.suspended_at is not None})
    _notify(member, actor, group, message % {"group": group.name, "reason": reason})
    return membership


# --- the promotion ladder ----------------------------------------------------------------------------
@transaction.atomic
def promotion_propose(*, group, member, source=None, evidence=None):
    """Propose `member` for `group` (a system write, from the ladder's task): once while a proposal is open,
    never for a member already in the group, nor again within 30 days of a dismissal. True when proposed."""
    from datetime import timedelta

    from .models import PromotionProposal

    if Membership.objects.filter(group=group, member=member).exists():
        return False
    recent = timezone.now() - timedelta(days=30)
    if PromotionProposal.objects.filter(group=group, member=member).filter(
            models_Q(status=PromotionProposal.Status.PROPOSED)
            | models_Q(status=PromotionProposal.Status.DISMISSED, decided_at__gte=recent)).exists():
        return False
    try:
        with transaction.atomic():
            PromotionProposal.objects.create(group=group, member=member, source=source, evidence=evidence or {})
    except IntegrityError:
        return False
    return True


def promotion_notify_owners(*, group, count):
    """Tell the main group's owners that `count` new candidates wait for them."""
    for membership in Membership.objects.filter(group=group, role=Membership.Role.OWNER).select_related("member"):
        forum_services.notification_create(
            recipient=membership.member, kind=Notification.Kind.SYSTEM,
            url=group.get_absolute_url() + "promotions/",
            message=_("%(n)d members qualify for promotion into %(group)s.") % {"n": count, "group": group.name})


@transaction.atomic
def promotion_decide(*, actor, proposal, promote, reason=""):
    """One click: promote the candidate into the main group (or dismiss the proposal)."""
    from .models import PromotionProposal

    proposal = (PromotionProposal.objects.select_for_update(of=("self",)).select_related("group__category", "member")
                .get(pk=proposal.pk))
    group = proposal.group
    permissions.check_owner(actor, group)
    reason = clean_reason(reason)
    if proposal.status != PromotionProposal.Status.PROPOSED:
        raise Conflict(_("This proposal was already decided."), code="decided")
    proposal.status = PromotionProposal.Status.PROMOTED if promote else PromotionProposal.Status.DISMISSED
    proposal.decided_by, proposal.decided_at = actor, timezone.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at"])
    if promote:
        _add_member(group=group, member=proposal.member, role=Membership.Role.MEMBER, via=Membership.Via.PROMOTION,
                    actor=actor)
        record(actor=actor, action="group_promote", target=proposal, reason=reason, fallback=_("promoted"),
               subject=proposal.member, category=group.category, before={"member": False},
               after={"member": True, "evidence": proposal.evidence})
        _notify(proposal.member, actor, group, _("Congratulations: you are promoted into %(group)s.") % {
            "group": group.name})
    else:
        record(actor=actor, action="group_promotion_dismiss", target=proposal, reason=reason,
               fallback=_("dismissed"), subject=proposal.member, category=group.category,
               before={"status": "proposed"}, after={"status": "dismissed"})
    return proposal


@transaction.atomic
def member_demote(*, actor, group, member, reason):
    """Take a promoted member back out of the main group (their sub-group membership stays)."""
    permissions.check_owner(actor, group)
    reason = clean_reason(reason, required=True)
    membership = _target_membership(group, member)
    _check_over(actor, membership)
    _drop_member(membership, actor=actor)
    record(actor=actor, action="group_demote", target=group, reason=reason, subject=member, category=group.category,
           before={"member": True}, after={"member": False})
    _notify(member, actor, group, _("You are no longer a member of %(group)s: %(reason)s") % {
        "group": group.name, "reason": reason})
    return group


# --- deputy recruitment ------------------------------------------------------------------------------
@transaction.atomic
def round_open(*, actor, group, title, min_level=0, min_days=0, min_posts_30d=0, handbook_url=""):
    """Staff open a recruitment round for `group` with its requirements and the handbook deputies must read."""
    from .models import RecruitmentRound

    forum_permissions.check_staff(actor)
    title = _clean_text(title, field="title", maximum=120, required=True, label=_("The title"))
    try:
        min_level, min_days, min_posts_30d = (max(0, min(int(v or 0), 10_000)) for v in (min_level, min_days,
                                                                                          min_posts_30d))
    except (TypeError, ValueError):
        raise InvalidInput(_("Requirements are whole numbers."), field="min_level") from None
    handbook_url = (handbook_url or group.handbook_url or "").strip()[:300]
    if not handbook_url:
        raise InvalidInput(_("Link the handbook page deputies must read."), field="handbook_url")
    rnd = RecruitmentRound.objects.create(group=group, title=title, min_level=min_level, min_days=min_days,
                                          min_posts_30d=min_posts_30d, handbook_url=handbook_url, created_by=actor)
    if group.handbook_url != handbook_url:
        MemberGroup.objects.filter(pk=group.pk).update(handbook_url=handbook_url)
    record(actor=actor, action="group_round_open", target=rnd, fallback=_("opened"), category=group.category,
           after={"min_level": min_level, "min_days": min_days, "min_posts_30d": min_posts_30d})
    return rnd


@transaction.atomic
def round_close(*, actor, round, reason=""):
    from .models import RecruitmentRound

    forum_permissions.check_staff(actor)
    rnd = RecruitmentRound.objects.select_for_update().select_related("group__category").get(pk=round.pk)
    if rnd.status == RecruitmentRound.Status.CLOSED:
        raise Conflict(_("This round is already closed."), code="closed")
    rnd.status = RecruitmentRound.Status.CLOSED
    rnd.save(update_fields=["status"])
    record(actor=actor, action="group_round_close", target=rnd, reason=clean_reason(reason), fallback=_("closed"),
           category=rnd.group.category, before={"status": "open"}, after={"status": "closed"})
    return rnd


def round_unmet(*, round, member, now=None):
    """The requirements of `round` that `member` does not meet yet, as sentences (empty: eligible)."""
    from datetime import timedelta

    from .. import hooks

    now = now or timezone.now()
    unmet = []
    membership = Membership.objects.filter(group_id=round.group_id, member=member).first()
    if membership is None:
        return [_("Only members of the group may apply.")]
    if membership.role != Membership.Role.MEMBER:
        return [_("You are already an owner or deputy of this group.")]
    days = (now - membership.joined_at).days
    if days < round.min_days:
        unmet.append(_("At least %(n)d days in the group (you: %(you)d).") % {"n": round.min_days, "you": days})
    posts = Post.objects.filter(author=member, topic__category_id=round.group.category_id, is_deleted=False,
                                created_at__gte=now - timedelta(days=30)).count()
    if posts < round.min_posts_30d:
        unmet.append(_("At least %(n)d posts in the group in the last 30 days (you: %(you)d).") % {
            "n": round.min_posts_30d, "you": posts})
    if round.min_level:
        level = hooks.member_level.ask(member)
        if level is not None and level < round.min_level:
            unmet.append(_("Level %(n)d or higher (you: %(you)d).") % {"n": round.min_level, "you": level})
    return unmet


@transaction.atomic
def candidacy_create(*, actor, round, motivation):
    from .models import DeputyCandidacy, RecruitmentRound

    forum_permissions.check_member(actor)
    forum_permissions.check_not_silenced(actor)
    motivation = (motivation or "").strip()
    if len(motivation) < 10:
        raise InvalidInput(_("Tell us a little more (at least %(n)d characters).") % {"n": 10}, field="motivation")
    if len(motivation) > 2000:
        raise InvalidInput(_("Please keep it under %(n)d characters.") % {"n": 2000}, field="motivation")
    if round.status != RecruitmentRound.Status.OPEN:
        raise Conflict(_("This round is closed."), code="closed")
    unmet = round_unmet(round=round, member=actor)
    if unmet:
        raise NotAllowed(" ".join(unmet), code="requirements")
    check_write_rate(actor, "group_apply")
    try:
        with transaction.atomic():
            return DeputyCandidacy.objects.create(round=round, member=actor, motivation=motivation)
    except IntegrityError:
        raise Conflict(_("You have already applied in this round."), code="already") from None


@transaction.atomic
def candidacy_review(*, actor, candidacy, appoint, note=""):
    """Staff appoint the candidate as deputy (the powers start after the handbook) or reject, with a note."""
    from .models import DeputyCandidacy

    forum_permissions.check_staff(actor)
    note = clean_reason(note, required=not appoint)
    candidacy = (DeputyCandidacy.objects.select_for_update(of=("self",)).select_related("round__group__category",
                                                                                         "member")
                 .get(pk=candidacy.pk))
    if candidacy.status != DeputyCandidacy.Status.PENDING:
        raise Conflict(_("This candidacy was already reviewed."), code="reviewed")
    candidacy.status = DeputyCandidacy.Status.APPOINTED if appoint else DeputyCandidacy.Status.REJECTED
    candidacy.reviewed_by, candidacy.reviewed_at, candidacy.note = actor, timezone.now(), note
    candidacy.save(update_fields=["status", "reviewed_by", "reviewed_at", "note"])
    group = candidacy.round.group
    if appoint:
        deputy_appoint(actor=actor, group=group, member=candidacy.member, reason=note or candidacy.round.title)
    else:
        record(actor=actor, action="group_candidacy_reject", target=candidacy, reason=note,
               subject=candidacy.member, category=group.category, before={"status": "pending"},
               after={"status": "rejected"})
        _notify(candidacy.member, actor, group, _("Your application to be a deputy owner of %(group)s was not "
                                                  "accepted: %(note)s") % {"group": group.name, "note": note})
    return candidacy

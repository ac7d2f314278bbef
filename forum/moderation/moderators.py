"""Delegated category moderators (版主): staff appoint and demote them (with a reason); members at
or above the configured level apply with a short form (forum.hooks.can_apply_moderator: the
engagement app answers by level), staff accept or reject, and the member is notified."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import hooks, permissions, services
from ..errors import Conflict, InvalidInput, NotAllowed
from ..models import Notification, User
from ..ratelimit import check_write_rate
from .common import clean_reason, record
from .models import CategoryModerator, ModeratorApplication

MOTIVATION_MIN, MOTIVATION_MAX = 20, 2000


def _refresh_flag(member_id):
    active = CategoryModerator.objects.filter(member_id=member_id, is_active=True).exists()
    User.objects.filter(pk=member_id).update(moderates_categories=active)


@transaction.atomic
def moderator_appoint(*, actor, member, category, reason=""):
    permissions.check_staff(actor)
    reason = clean_reason(reason)
    if not member.is_active or member.is_banned:
        raise InvalidInput(_("Only active members can moderate."), field="member")
    if CategoryModerator.objects.filter(member=member, category=category, is_active=True).exists():
        raise Conflict(_("%(name)s already moderates %(category)s.") % {"name": member.name,
                                                                         "category": category.name})
    appointment = CategoryModerator.objects.create(member=member, category=category, appointed_by=actor)
    _refresh_flag(member.pk)
    record(actor=actor, action="moderator_appoint", target=appointment, reason=reason, fallback=_("appointed"),
           subject=member, before={"moderates": False}, after={"moderates": True}, category=category)
    services.notification_create(
        recipient=member, kind=Notification.Kind.SYSTEM, actor=actor, url=category.get_absolute_url(),
        message=_("You are now a moderator of %(category)s.") % {"category": category.name})
    return appointment


@transaction.atomic
def moderator_demote(*, actor, appointment, reason):
    permissions.check_staff(actor)
    reason = clean_reason(reason, required=True)
    appointment = CategoryModerator.objects.select_for_update(of=("self",)).select_related("member", "category").get(
        pk=appointment.pk)
    if not appointment.is_active:
        raise Conflict(_("This moderator was already demoted."))
    appointment.is_active = False
    appointment.demoted_at, appointment.demoted_by, appointment.demotion_reason = timezone.now(), actor, reason
    appointment.save(update_fields=["is_active", "demoted_at", "demoted_by", "demotion_reason"])
    _refresh_flag(appointment.member_id)
    record(actor=actor, action="moderator_demote", target=appointment, reason=reason, subject=appointment.member,
           before={"moderates": True}, after={"moderates": False}, category=appointment.category)
    services.notification_create(
        recipient=appointment.member, kind=Notification.Kind.SYSTEM, actor=actor,
        message=_("You no longer moderate %(category)s: %(reason)s") % {"category": appointment.category.name,
                                                                       "reason": reason})
    return appointment


def check_apply(actor, category):
    permissions.check_member(actor)
    permissions.check_not_silenced(actor)
    permissions.check_read_category(actor, category)
    if permissions.can_moderate(actor, category):
        raise Conflict(_("You already moderate %(category)s.") % {"category": category.name}, code="already")
    hooks.can_apply_moderator.check(actor, category)


@transaction.atomic
def application_create(*, actor, category, motivation):
    motivation = (motivation or "").strip()
    if len(motivation) < MOTIVATION_MIN:
        raise InvalidInput(_("Tell us a little more (at least %(n)d characters).") % {"n": MOTIVATION_MIN},
                           field="motivation")
    if len(motivation) > MOTIVATION_MAX:
        raise InvalidInput(_("Please keep it under %(n)d characters.") % {"n": MOTIVATION_MAX}, field="motivation")
    check_apply(actor, category)
    if ModeratorApplication.objects.filter(member=actor, category=category,
                                           status=ModeratorApplication.Status.PENDING).exists():
        raise Conflict(_("Your application for %(category)s is already waiting for review.") % {
            "category": category.name}, code="pending")
    check_write_rate(actor, "mod_apply")
    return ModeratorApplication.objects.create(member=actor, category=category, motivation=motivation)


@transaction.atomic
def application_review(*, actor, application, accept, note=""):
    permissions.check_staff(actor)
    note = clean_reason(note, required=not accept)
    application = ModeratorApplication.objects.select_for_update(of=("self",)).select_related("member", "category").get(
        pk=application.pk)
    if application.status != ModeratorApplication.Status.PENDING:
        raise Conflict(_("This application was already reviewed."))
    if application.member.pk == actor.pk:
        raise NotAllowed(_("You cannot review your own application."))
    application.status = ModeratorApplication.Status.ACCEPTED if accept else ModeratorApplication.Status.REJECTED
    application.reviewed_by, application.reviewed_at, application.review_note = actor, timezone.now(), note
    application.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    record(actor=actor, action="moderator_application_" + ("accept" if accept else "reject"), target=application,
           reason=note, fallback=application.status, subject=application.member,
           before={"status": "pending"}, after={"status": application.status}, category=application.category)
    if accept:
        if not CategoryModerator.objects.filter(member=application.member, category=application.category,
                                                is_active=True).exists():
            moderator_appoint(actor=actor, member=application.member, category=application.category,
                              reason=note or _("application accepted"))
    else:
        services.notification_create(
            recipient=application.member, kind=Notification.Kind.SYSTEM, actor=actor,
            message=_("Your application to moderate %(category)s was not accepted: %(note)s") % {
                "category": application.category.name, "note": note})
    return application

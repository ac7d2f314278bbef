"""Writes of the CMS. Pages are written through Wagtail's page API (add_child, save_revision), so
drafts, revisions, the moderation workflow and scheduled publishing all apply to them."""

import datetime
import json
import logging

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from forum import services as forum_services
from forum.models import Notification
from forum.permissions import EDITORS

from . import selectors

logger = logging.getLogger(__name__)

DIGEST_SIZE = 10


def _child_index(home, model, *, title, slug):
    index = model.objects.child_of(home).first()
    if index is None:
        index = model(title=title, slug=slug, live=True)
        home.add_child(instance=index)
        index.save_revision().publish()
    return index


@transaction.atomic
def sections_ensure():
    """The HomePage and its two section pages (collections, digests), created when missing.
    Returns (home, collection_index, digest_index)."""
    from .models import CollectionIndexPage, DigestIndexPage, HomePage

    home = HomePage.objects.first()
    if home is None:
        raise RuntimeError("There is no HomePage (cms/migrations/0002_home_page creates it).")
    collections = _child_index(home, CollectionIndexPage, title=_("Collections"), slug="collections")
    digests = _child_index(home, DigestIndexPage, title=_("Weekly digests"), slug="digests")
    return home, collections, digests


@transaction.atomic
def digest_propose(*, week_start=None, limit=DIGEST_SIZE):
    """Propose the digest of a week (by default the week before this one) as a *draft* DigestPage
    holding the week's best topics in order (cms.selectors.digest_candidates), for editors to review,
    reorder, annotate and publish. One digest per week: when it exists already (a retry, a second
    run, an editor who started it by hand) nothing is written. Returns (page, created)."""
    from .models import DigestPage

    week_start = week_start or selectors.previous_week_start()
    existing = DigestPage.objects.filter(week_start=week_start).first()
    if existing is not None:
        return existing, False
    candidates = selectors.digest_candidates(week_start=week_start, limit=limit)
    title = _("Weekly digest %(start)s – %(end)s") % {
        "start": formats.date_format(week_start, "SHORT_DATE_FORMAT"),
        "end": formats.date_format(week_start + datetime.timedelta(days=6), "SHORT_DATE_FORMAT"),
    }
    body = [{"type": "topic", "value": {"topic": topic.pk, "note": ""}} for topic, _score in candidates]
    intro = (_("The %(n)d most discussed topics of the week.") % {"n": len(candidates)}) if candidates else \
        _("A quiet week: add the topics worth reading.")
    page = DigestPage(title=title, slug=f"week-{week_start.isoformat()}", week_start=week_start, intro=intro,
                      body=json.dumps(body), live=False)
    _home, _collections, index = sections_ensure()
    try:
        with transaction.atomic():
            index.add_child(instance=page)
    except IntegrityError:  # proposed concurrently by another run
        return DigestPage.objects.get(week_start=week_start), False
    page.save_revision(log_action=True)
    _notify_editors(page)
    return page, True


def _notify_editors(page):
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    group = Group.objects.filter(name=EDITORS).first()
    if group is None:
        return
    for editor in group.user_set.filter(is_active=True):
        forum_services.notification_create(
            recipient=editor, kind=Notification.Kind.SYSTEM, url=url,
            message=_("A draft weekly digest is ready for review: %(title)s") % {"title": page.title},
        )


def digest_propose_now(*, actor, week_start=None):
    """An editor's "propose now" (the Wagtail admin's digest screen): the same proposal as the Monday task,
    for the week before this one unless `week_start` is given, recorded in the audit log. Returns
    (page, created); when the week's digest exists already nothing is written but the audit entry says so."""
    from audit.log import audit_record
    from forum.errors import NotAllowed
    from forum.permissions import is_editor

    if not is_editor(actor):
        raise NotAllowed(_("Only editors may propose the weekly digest."), code="editors_only")
    with transaction.atomic():
        page, created = digest_propose(week_start=week_start)
        audit_record(actor=actor, action="cms.digest_propose", target=page,
                     reason=_("Proposed now from the admin") if created else _("Asked again: the digest exists"),
                     data={"week_start": page.week_start.isoformat(), "created": created})
    return page, created

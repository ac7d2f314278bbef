"""Notes by staff about a member (read on /mod/u/<username>/ by those who may sanction the member). Each note
leaves an audit entry; notes are never edited (a correction is another note)."""

from django.db import transaction
from django.utils.translation import gettext as _

from ..errors import InvalidInput
from ..ratelimit import rate_limit_hit
from .bans import check_member_view
from .common import record
from .models import StaffNote

NOTE_MAX = 2000
NOTE_RATE = (30, 3600)  # notes per moderator per hour


def clean_note(text):
    text = str(text or "").strip()
    if not text:
        raise InvalidInput(_("Write the note."), field="text", code="required")
    if len(text) > NOTE_MAX:
        raise InvalidInput(_("A note has at most %(n)d characters.") % {"n": NOTE_MAX}, field="text")
    return text


@transaction.atomic
def note_create(*, actor, member, text):
    """Add a staff note about `member`; who may write one: who may see the member's moderation page."""
    check_member_view(actor, member)
    text = clean_note(text)
    rate_limit_hit(key=f"staff_note:{actor.pk}", limit=NOTE_RATE[0], window=NOTE_RATE[1])
    note = StaffNote.objects.create(member=member, author=actor, text=text)
    record(actor=actor, action="member_note", target=note, reason=_("Staff note"), subject=member,
           after={"text": text[:300]})
    return note

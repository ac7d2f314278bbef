"""The ladder's listeners on the forum's extension points (imported from LadderConfig.ready)."""

from django.utils.html import format_html
from django.utils.translation import gettext as _

from forum import hooks


def _applicant_standing(context, member):
    """On a group application's review screen: the applicant's level and latest KOL score, if any."""
    from ..kol.models import KolScore
    from ..levels.models import MemberLevel

    level = MemberLevel.objects.filter(member=member).values_list("level_number", flat=True).first()
    kol = KolScore.objects.filter(member=member).order_by("-run_id").values_list("score", "rank").first()
    kol_text = _("KOL score %(score)s (rank %(rank)s)") % {"score": f"{kol[0]:.1f}", "rank": kol[1]} if kol else _(
        "No KOL score yet")
    return format_html('<p class="applicant-standing"><strong>{}</strong> · {}</p>',
                       _("Level %(n)s") % {"n": level if level is not None else "—"}, kol_text)


hooks.template_slots.register("group_applicant", _applicant_standing)


def _member_level(user):
    from ..levels.models import MemberLevel

    return MemberLevel.objects.filter(member=user).values_list("level_number", flat=True).first() or 0


hooks.member_level.connect(_member_level)

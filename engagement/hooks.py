"""What the engagement package adds to the forum's templates (forum.hooks.template_slots): its stylesheet,
navigation items (events, leaderboard; check-in and points for members; the KOL and lifecycle queues for
moderators) and the flair next to every member's name (level, chosen badge, shop title).

The flair renders from the rows engagement.selectors.MEMBER_FLAIR_RELATED joins (registered in
forum.hooks.member_select_related by the sub-apps), so a page of names costs no query per name."""

from forum.hooks import template_slots
from forum.lib import slots

from .templatetags.engagement_tags import member_flair


def _member_flair(context, member):
    return slots.include("engagement/includes/member_flair.html", context, member_flair(member))


def _mod_member_points(context, member):
    """On the moderators' page about a member: the level and the last entries of the points ledger."""
    from .levels.selectors import level_progress
    from .points.selectors import account_get, points_history

    page = points_history(member=member, page=1, per_page=10)
    return slots.include("engagement/includes/mod_member_points.html", context, {
        "member": member, "progress": level_progress(member=member), "account": account_get(member=member),
        "entries": list(page.object_list)})


def connect():
    from . import audit_labels

    audit_labels.register()
    template_slots.register("head", slots.stylesheet("engagement/engagement.css"), order=20)
    template_slots.register("nav", slots.template("engagement/includes/nav.html"), order=20)
    template_slots.register("nav_member", slots.template("engagement/includes/nav_member.html"))
    template_slots.register("nav_moderator", slots.template("engagement/includes/nav_moderator.html"))
    template_slots.register("member_badge", _member_flair)
    template_slots.register("mod_member", _mod_member_points)

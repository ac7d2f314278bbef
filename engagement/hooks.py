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


def _profile_summary(context, member):
    from .selectors import member_profile_summary

    request = context.get("request")
    return slots.include("engagement/includes/profile_summary.html", context,
                         member_profile_summary(member=member, viewer=request.user))


def connect():
    from . import audit_labels

    audit_labels.register()
    template_slots.register("head", slots.stylesheet("engagement/engagement.css"), order=20)
    template_slots.register("nav", slots.template("engagement/includes/nav.html"), order=20)
    template_slots.register("nav_member", slots.template("engagement/includes/nav_member.html"))
    template_slots.register("community", slots.template("engagement/includes/community.html"), order=10)
    template_slots.register("nav_moderator", slots.template("engagement/includes/nav_moderator.html"))
    template_slots.register("member_badge", _member_flair)
    template_slots.register("member_profile", _profile_summary, order=10)

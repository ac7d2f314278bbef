"""What the engagement package adds to the forum's templates (forum.hooks.template_slots): its stylesheet,
navigation items (events, leaderboard; check-in and points for members; the KOL and lifecycle queues for
moderators) and the flair next to every member's name (level, chosen badge, shop title).

The flair comes in one batch for the members a hot page shows (engagement.flair, via
forum.hooks.members_shown), or from the rows engagement.selectors.MEMBER_FLAIR_RELATED joins (registered
in forum.hooks.member_select_related by the sub-apps) on other pages: a page of names costs no query per
name either way."""

from forum.hooks import template_slots
from forum.lib import slots


def _member_flair(context, member):
    from django.utils.safestring import mark_safe

    from . import flair

    return mark_safe(flair.html_for(member))  # noqa: S308 - rendered by a template, escaped there


def member_profile_summary(*, member, viewer):
    """What a member's profile shows of the engagement system, for everyone who views it: the level and the
    way to the next one, the points balance, the check-in streak and the badges held. Three queries (the
    points account, the check-in stats, the badges with their rows), whatever the number of badges."""
    from .badges.selectors import member_badges
    from .checkin.selectors import effective_streak, stats_get
    from .levels.selectors import level_for_points, next_level
    from .points.selectors import account_get

    account = account_get(member=member)
    current = level_for_points(account.lifetime_earned)  # the ladder is cached: no query
    upcoming = next_level(current)
    progress = {"level": current, "next": upcoming, "lifetime": account.lifetime_earned, "needed": 0, "percent": 100}
    if upcoming is not None:
        span = max(upcoming.min_points - current.min_points, 1)
        done = min(max(account.lifetime_earned - current.min_points, 0), span)
        progress.update(needed=max(upcoming.min_points - account.lifetime_earned, 0), percent=int(done * 100 / span))
    stats = stats_get(member=member)
    return {
        "member": member, "is_self": bool(viewer.is_authenticated and viewer.pk == member.pk),
        "balance": account.balance, "progress": progress,
        "streak": effective_streak(stats), "longest_streak": stats.longest_streak, "checkin_days": stats.total_days,
        "badges": member_badges(member=member),
    }


def _profile_summary(context, member):
    request = context.get("request")
    return slots.include("engagement/includes/profile_summary.html", context,
                         member_profile_summary(member=member, viewer=request.user))


def _mod_member_points(context, member):
    """On the moderators' page about a member: the level and the last entries of the points ledger."""
    from .levels.selectors import level_progress
    from .points.selectors import account_get, points_history

    page = points_history(member=member, page=1, per_page=10)
    return slots.include("engagement/includes/mod_member_points.html", context, {
        "member": member, "progress": level_progress(member=member), "account": account_get(member=member),
        "entries": list(page.object_list)})


def connect():
    from forum import hooks as forum_hooks

    from . import audit_labels, flair

    audit_labels.register()
    flair.connect()
    if flair.load not in forum_hooks.member_loaders:
        forum_hooks.member_loaders.append(flair.load)
    template_slots.register("head", slots.stylesheet("engagement/engagement.css"), order=20)
    template_slots.register("nav", slots.template("engagement/includes/nav.html"), order=20)
    template_slots.register("nav_member", slots.template("engagement/includes/nav_member.html"))
    template_slots.register("community", slots.template("engagement/includes/community.html"), order=10)
    template_slots.register("nav_moderator", slots.template("engagement/includes/nav_moderator.html"))
    template_slots.register("member_badge", _member_flair)
    template_slots.register("member_profile", _profile_summary, order=10)
    template_slots.register("mod_member", _mod_member_points)

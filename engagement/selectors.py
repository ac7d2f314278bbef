"""Reads shared by the engagement sub-apps' pages."""

# select_related paths, from a User, that let {% member_flair %} render without a query per name:
#   Post.objects.select_related(*[f"author__{p}" for p in MEMBER_FLAIR_RELATED])
MEMBER_FLAIR_RELATED = ("member_level", "badge_choice__badge", "shop_title", "shop_decoration")


def with_member_flair(queryset, prefix=""):
    """Add the flair joins to a queryset of users (prefix="") or of rows with a user FK
    (prefix="author", "member", ...)."""
    lead = f"{prefix}__" if prefix else ""
    return queryset.select_related(*[f"{lead}{p}" for p in MEMBER_FLAIR_RELATED])


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

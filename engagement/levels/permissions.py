"""Level privileges, enforced before the write (not only hidden in templates).

`check_post_privileges` is plugged into forum.hooks.can_post (links and images on topics, replies
and edits; posts per hour), `check_daily_limits` into forum.hooks.write_rate (votes and reports per
day); `check_create_poll`,
`check_apply_moderator` and `report_weight` are for the polls, moderation and reports issues.
Staff and moderators are not limited by levels. Every refusal names the level needed."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from forum.errors import NotAllowed, RateLimited
from forum.markdown import count_links_and_images
from forum.permissions import check_member, is_moderator
from forum.ratelimit import rate_limit_hit, retry_phrase

from . import selectors

POSTS_WINDOW = 3600
DAY = 86400


def _exempt(user):
    return user.is_authenticated and (user.is_staff or is_moderator(user))


def _needed_message(needed, text_with_level, text_without):
    if needed is None:
        return text_without
    return text_with_level % {"needed": needed.label}


def check_post_privileges(actor, category, kind="topic", source="", previous=None, topic=None):
    """Links and images per post (topics, replies and edits), posts per hour (not edits). An edit
    is refused only when it adds links or images beyond the limit: fixing a typo in an older post
    that has more (written at a higher level, say) stays possible."""
    if not actor.is_authenticated or _exempt(actor):
        return
    level = selectors.member_level(actor)
    links, images = count_links_and_images(source)
    had_links, had_images = count_links_and_images(previous) if previous else (0, 0)
    if level.max_links is not None and links > max(level.max_links, had_links):
        needed = selectors.lowest_level_where(lambda lv: lv.max_links is None or lv.max_links >= links)
        base = _("You are %(level)s: a post may have at most %(n)d links.") % {"level": level.label,
                                                                               "n": level.max_links}
        raise NotAllowed(
            base + " " + _needed_message(needed, _("%(needed)s or above may post more."), _("Remove some links.")),
            code="level_links",
        )
    if level.max_images is not None and images > max(level.max_images, had_images):
        needed = selectors.lowest_level_where(lambda lv: lv.max_images is None or lv.max_images >= images)
        base = _("You are %(level)s: a post may have at most %(n)d images.") % {"level": level.label,
                                                                                "n": level.max_images}
        raise NotAllowed(
            base + " " + _needed_message(needed, _("%(needed)s or above may post more."), _("Remove some images.")),
            code="level_images",
        )
    if level.posts_per_hour and kind != "edit":
        try:
            rate_limit_hit(key=f"level-posts:{actor.pk}", limit=level.posts_per_hour, window=POSTS_WINDOW)
        except RateLimited as exc:
            needed = selectors.lowest_level_where(
                lambda lv: lv.posts_per_hour is None or lv.posts_per_hour > level.posts_per_hour)
            base = _("You are %(level)s: at most %(n)d posts an hour. Try again %(when)s.") % {
                "level": level.label, "n": level.posts_per_hour, "when": retry_phrase(exc.retry_after)}
            raise RateLimited(
                base + " " + _needed_message(needed, _("%(needed)s or above may post more often."), ""),
                retry_after=exc.retry_after, code="level_rate",
            ) from None


def check_upload_image(actor):
    """Uploading an image from the composer (plugged into forum.hooks.can_upload_image): refused at a
    level whose posts may hold no image at all, with the level that may."""
    if not actor.is_authenticated or _exempt(actor):
        return
    level = selectors.member_level(actor)
    if level.max_images == 0:
        needed = selectors.lowest_level_where(lambda lv: lv.max_images is None or lv.max_images > 0)
        base = _("You are %(level)s: your posts may not hold images yet.") % {"level": level.label}
        raise NotAllowed(base + " " + _needed_message(needed, _("%(needed)s or above may post images."), ""),
                         code="level_images")


def _daily_refusal(field, level, limit, retry_after):
    when = retry_phrase(retry_after)
    if field == "votes_per_day":
        base = ngettext("You are %(level)s: at most %(n)d vote a day. Try again %(when)s.",
                        "You are %(level)s: at most %(n)d votes a day. Try again %(when)s.", limit)
        more = _("%(needed)s or above may vote more.")
    else:
        base = ngettext("You are %(level)s: at most %(n)d report a day. Try again %(when)s.",
                        "You are %(level)s: at most %(n)d reports a day. Try again %(when)s.", limit)
        more = _("%(needed)s or above may report more.")
    needed = selectors.lowest_level_where(
        lambda lv: getattr(lv, field) is None or getattr(lv, field) > limit)
    message = base % {"level": level.label, "n": limit, "when": when}
    return (message + " " + _needed_message(needed, more, "")).strip()


# forum.ratelimit actions -> the level's daily limit
DAILY_LIMITS = {"vote_day": "votes_per_day", "report": "reports_per_day"}


def check_daily_limits(actor, action):
    """Votes and reports per day by level (plugged into forum.hooks.write_rate); the site-wide limit
    of settings.HUOLI["RATE_LIMITS"] applies as well, so the tighter one wins."""
    field = DAILY_LIMITS.get(action)
    if field is None or not actor.is_authenticated or _exempt(actor):
        return
    level = selectors.member_level(actor)
    limit = getattr(level, field)
    if limit is None:
        return
    try:
        rate_limit_hit(key=f"level-{field}:{actor.pk}", limit=limit, window=DAY)
    except RateLimited as exc:
        raise RateLimited(_daily_refusal(field, level, limit, exc.retry_after), retry_after=exc.retry_after,
                          code="level_rate") from None


def can_create_poll(user):
    return user.is_authenticated and (_exempt(user) or selectors.member_level(user).can_create_polls)


def create_poll_refusal(user):
    """Why this signed-in member may not create polls (the level that may), or None when they may:
    shown where the "Add a poll" button would be, so that no member is sent to a refusal page."""
    if can_create_poll(user):
        return None
    needed = selectors.lowest_level_where(lambda lv: lv.can_create_polls)
    return _needed_message(needed, _("Creating polls needs level %(needed)s or above."),
                           _("Polls are switched off for members."))


def check_create_poll(user):
    check_member(user)
    refusal = create_poll_refusal(user)
    if refusal:
        raise NotAllowed(refusal, code="level_polls")


def can_apply_moderator(user):
    return user.is_authenticated and (_exempt(user) or selectors.member_level(user).can_apply_moderator)


def check_apply_moderator(user):
    check_member(user)
    if not can_apply_moderator(user):
        needed = selectors.lowest_level_where(lambda lv: lv.can_apply_moderator)
        raise NotAllowed(_needed_message(needed, _("Applying to moderate needs level %(needed)s or above."),
                                         _("Applications to moderate are closed.")), code="level_moderate")


def report_weight(user):
    """How much this member's report counts (moderators count as the highest level)."""
    if not user.is_authenticated:
        return 0
    if _exempt(user):
        return max([lv.report_weight for lv in selectors.level_ladder()] or [1])
    return selectors.member_level(user).report_weight

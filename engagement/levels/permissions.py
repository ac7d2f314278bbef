"""Level privileges, enforced before the write (not only hidden in templates).

`check_post_privileges` is plugged into forum.hooks.can_post; `check_create_poll`,
`check_apply_moderator` and `report_weight` are for the polls, moderation and reports issues.
Staff and moderators are not limited by levels. Every refusal names the level needed."""

from django.utils.translation import gettext as _

from forum.errors import NotAllowed, RateLimited
from forum.markdown import count_links_and_images
from forum.permissions import _check_member, is_moderator
from forum.ratelimit import rate_limit_hit

from . import selectors

POSTS_WINDOW = 3600


def _exempt(user):
    return user.is_authenticated and (user.is_staff or is_moderator(user))


def _needed_message(needed, text_with_level, text_without):
    if needed is None:
        return text_without
    return text_with_level % {"needed": needed.label}


def check_post_privileges(actor, category, kind="topic", source=""):
    if not actor.is_authenticated or _exempt(actor):
        return
    level = selectors.member_level(actor)
    links, images = count_links_and_images(source)
    if level.max_links is not None and links > level.max_links:
        needed = selectors.lowest_level_where(lambda lv: lv.max_links is None or lv.max_links >= links)
        base = _("You are %(level)s: a post may have at most %(n)d links.") % {"level": level.label,
                                                                               "n": level.max_links}
        raise NotAllowed(
            base + " " + _needed_message(needed, _("%(needed)s or above may post more."), _("Remove some links.")),
            code="level_links",
        )
    if level.max_images is not None and images > level.max_images:
        needed = selectors.lowest_level_where(lambda lv: lv.max_images is None or lv.max_images >= images)
        base = _("You are %(level)s: a post may have at most %(n)d images.") % {"level": level.label,
                                                                                "n": level.max_images}
        raise NotAllowed(
            base + " " + _needed_message(needed, _("%(needed)s or above may post more."), _("Remove some images.")),
            code="level_images",
        )
    if level.posts_per_hour:
        try:
            rate_limit_hit(key=f"level-posts:{actor.pk}", limit=level.posts_per_hour, window=POSTS_WINDOW)
        except RateLimited as exc:
            needed = selectors.lowest_level_where(
                lambda lv: lv.posts_per_hour is None or lv.posts_per_hour > level.posts_per_hour)
            base = _("You are %(level)s: at most %(n)d posts an hour. Try again in %(seconds)d seconds.") % {
                "level": level.label, "n": level.posts_per_hour, "seconds": exc.retry_after}
            raise RateLimited(
                base + " " + _needed_message(needed, _("%(needed)s or above may post more often."), ""),
                retry_after=exc.retry_after, code="level_rate",
            ) from None


def can_create_poll(user):
    return user.is_authenticated and (_exempt(user) or selectors.member_level(user).can_create_polls)


def check_create_poll(user):
    _check_member(user)
    if not can_create_poll(user):
        needed = selectors.lowest_level_where(lambda lv: lv.can_create_polls)
        raise NotAllowed(_needed_message(needed, _("Creating polls needs level %(needed)s or above."),
                                         _("Polls are switched off for members.")), code="level_polls")


def can_apply_moderator(user):
    return user.is_authenticated and (_exempt(user) or selectors.member_level(user).can_apply_moderator)


def check_apply_moderator(user):
    _check_member(user)
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

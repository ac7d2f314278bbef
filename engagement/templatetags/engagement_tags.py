"""Template tags for showing engagement next to members' names and on pages.

    {% load engagement_tags %}
    {% member_flair member %}      level tag + chosen badge (what member_name.html should show)
    {% member_level member %}      level tag only
    {% member_badge member %}      chosen badge only
    {% member_badges member %}     every badge the member holds (profile)
    {% checkin_count_today as n %} how many members checked in today (home page)

To avoid a query per name, load members with
engagement.selectors.MEMBER_FLAIR_RELATED (select_related paths from a User)."""

from django import template

from engagement.badges.selectors import chosen_badge
from engagement.badges.selectors import member_badges as member_badges_list
from engagement.checkin.selectors import checkin_count_today as count_today
from engagement.levels.selectors import member_level as level_of
from engagement.shop.selectors import shown_decoration, shown_title

register = template.Library()


@register.inclusion_tag("engagement/includes/member_level.html")
def member_level(member):
    level = level_of(member) if member else None
    return {"level": level if level and level.number else None}


@register.inclusion_tag("engagement/includes/member_badge.html")
def member_badge(member):
    return {"badge": chosen_badge(member)}


@register.inclusion_tag("engagement/includes/member_flair.html")
def member_flair(member):
    level = level_of(member) if member else None
    return {"level": level if level and level.number else None, "badge": chosen_badge(member),
            "shop_title": shown_title(member), "decoration": shown_decoration(member)}


@register.inclusion_tag("engagement/includes/member_badges.html")
def member_badges(member):
    return {"held": member_badges_list(member=member) if member else [], "member": member}


@register.simple_tag
def checkin_count_today():
    return count_today()


@register.filter
def reason_label(code):
    """{{ entry.reason|reason_label }}: a ledger reason in words ("获得悬赏"), never the code."""
    from engagement.points.labels import reason_label as label

    return label(code)


def _luminance(rgb):
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@register.filter
def readable_level_color(color):
    """{{ level.color|readable_level_color }}: the level's colour (chosen in the admin), darkened until white text on
    it has a contrast of at least 4.6:1 (WCAG AA for the small level tag); a colour that is not #rrggbb gives the
    neutral grey."""
    import re

    if not isinstance(color, str) or not re.fullmatch(r"#[0-9a-fA-F]{6}", color):
        return "#57606a"
    rgb = [int(color[i:i + 2], 16) for i in (1, 3, 5)]
    for _ in range(40):
        if 1.05 / (_luminance(rgb) + 0.05) >= 4.6:
            break
        rgb = [int(c * 0.92) for c in rgb]
    return "#{:02x}{:02x}{:02x}".format(*rgb)

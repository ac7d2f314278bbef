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

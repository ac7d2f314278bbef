"""Template helpers of the forum pages: permission questions for one post, pagination links that
keep the list's own parameters, a plain-text excerpt of rendered post HTML, and the template slots other
apps fill (forum.hooks.template_slots)."""

import json
from urllib.parse import urlencode

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html, strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from forum import hooks, permissions
from forum.errors import ForumError

register = template.Library()


@register.filter
def can_edit(post, user):
    return permissions.can_edit_post(user, post)


@register.filter
def can_delete(post, user):
    if not user.is_authenticated or post.is_deleted:
        return False
    try:
        permissions.check_delete_post(user, post)
    except ForumError:
        return False
    return True


@register.filter
def can_see(post, user):
    """Hidden and deleted posts: moderators see them (marked); everyone else sees a placeholder."""
    return post.is_visible or permissions.can_moderate(user, post.topic.category)


@register.filter
def can_vote_on(post, user):
    return user.is_authenticated and post.author_id != user.pk and post.is_visible


@register.simple_tag
def page_href(params, number):
    """`?sort=hot&page=3` from the list's own parameters (never the raw request query, which may hold
    anything and would end up in cached fragments)."""
    query = dict(params or {})
    if int(number) > 1:
        query["page"] = number
    else:
        query.pop("page", None)
    return "?" + urlencode(query) if query else "?"


_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026",
                        ord("\u2028"): "\\u2028", ord("\u2029"): "\\u2029"}


@register.filter
def json_ld(data):
    """`data` as a <script type="application/ld+json"> element, escaped as json_script does: no
    `<`, `>` or `&` is left in the JSON, so member text cannot close the element (`</script>`)."""
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308


@register.filter
def excerpt(html, length=160):
    return Truncator(" ".join(strip_tags(html or "").split())).chars(int(length))


@register.simple_tag(takes_context=True)
def hook(context, slot, *args):
    """{% hook "member_badge" member %}: what other apps registered for this slot (forum.hooks.template_slots)."""
    return hooks.template_slots.render(slot, context, *args)


@register.filter
def slot_filled(slot):
    """{% if "community"|slot_filled %}: whether any app fills the slot (a menu with nothing in it is left out)."""
    return hooks.template_slots.filled(slot)


@register.inclusion_tag("forum/includes/image_upload.html", takes_context=True)
def image_upload_button(context, target):
    """The composer's "Insert image" button for the textarea whose id is `target` (topics, replies,
    edits; messaging's composers use it too). It uploads to forum:image_upload (static/js/forum.js)
    and inserts the returned Markdown at the cursor; guests and pages without JavaScript get nothing."""
    from django.conf import settings

    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    max_bytes = settings.HUOLI["UPLOAD_MAX_BYTES"]
    return {"target": target, "show": bool(user and user.is_authenticated), "max_bytes": max_bytes,
            "max_mb": f"{max_bytes / 1048576:g}"}


OPERATORS = "Operators"


@register.inclusion_tag("forum/includes/staff_menu.html", takes_context=True)
def staff_menu(context):
    """The avatar menu's staff links, for those who may use them: the moderation queue (moderators), the
    CMS (Wagtail editors), the Django admin (staff) and the operator console (staff and the Operators
    group, once console:dashboard exists). A plain member costs no query: the group names are the ones
    the header already read (forum.permissions.group_names)."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {"show": False}
    groups = permissions.group_names(user)
    can_cms = user.is_superuser or permissions.EDITORS in groups or (
        user.is_staff and user.has_perm("wagtailadmin.access_admin"))
    links = {
        "can_moderate": bool(context.get("can_moderate_anywhere")),
        "is_moderator": permissions.is_moderator(user),
        "can_cms": can_cms,
        "can_admin": user.is_staff,
        "can_console": user.is_staff or OPERATORS in groups,
    }
    return {**links, "show": any(links.values()), "user": user, "request": context.get("request"),
            "mod_queue_count": context.get("mod_queue_count"), "current": context.get("current")}


def relative_time(value, now=None):
    """"3 分钟前" / "3 minutes ago" for a past moment; the date for anything older than 30 days or in the future."""
    from django.utils import timezone
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    now = now or timezone.now()
    seconds = (now - value).total_seconds()
    if seconds < 0 or seconds >= 30 * 86400:
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return date_format(local, "Y-m-d")
    if seconds < 60:
        return _("just now")
    if seconds < 3600:
        n = int(seconds // 60)
        return ngettext("%(n)d minute ago", "%(n)d minutes ago", n) % {"n": n}
    if seconds < 86400:
        n = int(seconds // 3600)
        return ngettext("%(n)d hour ago", "%(n)d hours ago", n) % {"n": n}
    n = int(seconds // 86400)
    return ngettext("%(n)d day ago", "%(n)d days ago", n) % {"n": n}


@register.filter
def when(value):
    """{{ post.created_at|when }}: <time datetime title> with the relative time as its text ("3 分钟前") and the
    exact local time on hover (title) and for machines (datetime). static/js/header.js refreshes the text
    every minute, so a page served from a cache does not keep saying "just now"."""
    import datetime

    from django.utils import timezone
    from django.utils.formats import date_format

    if not isinstance(value, datetime.datetime):
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return format_html('<time datetime="{}" title="{}" data-relative>{}</time>', value.isoformat(),
                       date_format(local, "Y-m-d H:i"), relative_time(value))

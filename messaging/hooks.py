"""Private messages in the forum's pages: the "Messages" item (with the unread count, loaded by htmx
so the page itself stays the same for everyone), the reported-messages link for moderators, the
conversation page's live script, and the "Send a private message" button on a member's page."""

from django.utils.translation import gettext_lazy as _

from audit import labels
from forum import hooks
from forum.lib import slots


def connect():
    labels.register({"pm.report_viewed": _("Read a reported private message"),
                     "pm.report_hidden": _("Hide a reported private message"),
                     "pm.report_dismissed": _("Dismiss a private message report")})
    hooks.template_slots.register("nav_member", slots.fragment("messaging:badge", "nav_member"), order=20)
    hooks.template_slots.register("nav_moderator", slots.template("messaging/nav_moderator.html"), order=50)
    hooks.template_slots.register("scripts", slots.script("messaging/pm.js"), order=20)
    hooks.template_slots.register("member_actions", _write_to, order=20)


def _write_to(context, member):
    return slots.include("messaging/member_action.html", context, {"member": member})

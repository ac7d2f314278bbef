"""Following in the forum's pages: the follow button with the counts on profiles (rendered with the
page: one query), the follow button on category and tag pages (loaded by htmx, so those hot lists keep
their query counts and their guests' cached fragments; without JavaScript the placeholder is a plain
"Follow" form, which is idempotent), and "Feed" in the member's navigation. A new topic by a member
tells their followers, through the outbox (after the commit, never lost)."""

from django.urls import reverse
from django.utils.html import format_html

from forum import hooks, outbox
from forum.lib import slots

from . import selectors


def _profile(context, member):
    user = context["request"].user
    return slots.include("follows/profile.html", context, selectors.profile_context(member=member, user=user))


def _lazy_button(kind, key_of, name_of):
    def render(context, obj):
        key = key_of(obj)
        user = getattr(context.get("request"), "user", None)
        guest = not getattr(user, "is_authenticated", False)
        button = slots.include("follows/button.html", context,
                               {"button": {"kind": kind, "key": key, "name": name_of(obj), "following": False,
                                           "guest": guest}})
        if guest:
            return button  # a guest's "Follow" is a link to the sign-in page: no form, so no CSRF cookie
        url = reverse("follows:button", args=[kind, key])
        return format_html('<div class="follow-slot" hx-get="{}" hx-trigger="load" hx-swap="innerHTML">{}</div>',
                           url, button)
    return render


def _topic_created(*, topic, actor):
    from .tasks import follows_topic_notify

    outbox.enqueue(follows_topic_notify, topic.pk)


def connect():
    hooks.template_slots.register("member_profile", _profile)
    hooks.template_slots.register("category_head", _lazy_button("category", lambda c: c.slug, lambda c: c.name))
    hooks.template_slots.register("tag_head", _lazy_button("tag", lambda t: t.slug, lambda t: f"#{t.name}"))
    hooks.template_slots.register("nav_member", slots.template("follows/nav_member.html"), order=5)
    hooks.topic_created.connect_durable(_topic_created)

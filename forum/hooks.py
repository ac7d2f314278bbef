"""Explicit extension points of the forum core.

The forum knows nothing of points, levels, search, sockets or pages. It announces what happened
through *events* and asks *policies* before a write. Other apps register in their own `hooks.py`,
imported from their AppConfig.ready(), so one grep (`hooks.`) shows every listener.

- An event's receivers run after the transaction commits (`transaction.on_commit`), so a rolled
  back post never earns points, reaches a socket or the search index. Each receiver runs in its
  own on-commit callback with `robust=True`: one failing receiver is logged and does not stop the
  others or fail the request that already committed.
- A *durable* receiver (`connect_durable`) runs inside the sender's transaction instead and only
  writes outbox rows (forum.outbox): the after-commit work it owes (points, index upkeep,
  notifications) then survives a broker that loses its queue or a process that dies after the commit.
- A policy's checks run inside the service, before the write; a check raises NotAllowed (or
  RateLimited) to refuse and returns None to allow.
"""

import logging

from django.db import transaction
from django.utils.safestring import mark_safe

logger = logging.getLogger(__name__)


class _Connectable:
    """Functions other apps connect (each once, in order) and disconnect."""

    def __init__(self, name, doc=""):
        self.name = name
        self.__doc__ = doc or self.__doc__
        self._fns = []

    def connect(self, fn):
        if fn not in self._fns:
            self._fns.append(fn)
        return fn

    def disconnect(self, fn):
        if fn in self._fns:
            self._fns.remove(fn)


class Event(_Connectable):
    def __init__(self, name, doc=""):
        super().__init__(name, doc)
        self._durable = []

    def connect_durable(self, fn):
        """Connect a receiver that owes work after the commit and must not lose it: it runs *inside*
        the sender's transaction, and may only read and call `forum.outbox.enqueue` (whose rows
        commit, or roll back, with the change). The outbox relays them to Celery after the commit."""
        if fn not in self._durable:
            self._durable.append(fn)
        return fn

    def disconnect(self, fn):
        super().disconnect(fn)
        if fn in self._durable:
            self._durable.remove(fn)

    def send(self, **kwargs):
        """Run the durable receivers now (their outbox rows join the transaction, one INSERT for
        all), and schedule every other receiver to run after the current transaction commits."""
        if self._durable:
            from . import outbox

            with outbox.batch():
                for fn in list(self._durable):
                    fn(**kwargs)
        for fn in list(self._fns):
            transaction.on_commit(lambda fn=fn: fn(**kwargs), robust=True)


class Policy(_Connectable):
    def check(self, *args, **kwargs):
        for fn in list(self._fns):
            fn(*args, **kwargs)


class Provider:
    """A value another app may supply (the last one connected wins), with the forum's default.
    `ask(*args)` calls the provider, or the default when none is connected; a provider that returns
    None also falls back to the default."""

    def __init__(self, name, default, doc=""):
        self.name = name
        self.default = default
        self.__doc__ = doc
        self._provider = None

    def connect(self, fn):
        self._provider = fn
        return fn

    def disconnect(self, fn=None):
        if fn is None or self._provider is fn:
            self._provider = None

    def ask(self, *args, **kwargs):
        if self._provider is not None:
            value = self._provider(*args, **kwargs)
            if value is not None:
                return value
        return self.default(*args, **kwargs)


# --- events (receivers get keyword arguments) --------------------------------------------------
topic_created = Event("topic_created", "topic, actor")
post_created = Event("post_created", "post, actor (also sent for the opening post of a topic)")
post_edited = Event("post_edited", "post, actor, reason")
post_hidden = Event("post_hidden", "post, actor, hidden (bool): hidden, unhidden, deleted or restored")
vote_changed = Event("vote_changed", "post, actor, old (0/1/-1), new (0/1/-1)")
topic_changed = Event("topic_changed", "topic, actor, change (locked, pinned, hidden, moved, ...)")
topic_moved = Event("topic_moved", "topic, actor, old_category")
notification_created = Event("notification_created", "notification")
notifications_read = Event("notifications_read", "member, count (notifications just marked read)")
member_joined = Event("member_joined", "member")
member_sanctioned = Event("member_sanctioned", "member, actor, kind ('ban'|'silence'), active (bool)")
report_filed = Event("report_filed", "report, item, actor")
content_featured = Event("content_featured", "obj (a Topic or a Post), actor, featured (bool): featured or unfeatured")
profile_updated = Event("profile_updated", "member, actor (the member's display name, bio or avatar changed)")
email_verified = Event("email_verified", "member, email (an address of the member was confirmed)")
topic_subscribed = Event("topic_subscribed", "topic, actor, subscribed (bool): the member follows or unfollows a topic")

# --- policies (checks get positional arguments) ------------------------------------------------
can_post = Policy("can_post", "check(actor, category, kind='topic'|'reply'|'edit', source=str); an edit checks "
                  "the new text (links, images), passes previous=the text before, and is not a new post; a reply "
                  "passes topic=the topic replied to")
can_vote = Policy("can_vote", "check(actor, post, value)")
can_upload_image = Policy("can_upload_image", "check(actor) before a member uploads an image from the composer "
                          "(engagement: refused at a level whose posts may hold no image)")
can_report = Policy("can_report", "check(actor, target) before a report (flag) is filed")
can_apply_moderator = Policy("can_apply_moderator", "check(actor, category) before an application to moderate")
write_rate = Policy("write_rate", "check(actor, action) when a write counts against the rate limits (topic, post, "
                    "vote, vote_day, report, mod_apply, upload), besides the site-wide limit: raise RateLimited "
                    "(engagement: votes and reports per day by level)")


# --- providers (values another app may supply; see forum/moderation for the defaults) -----------
def _default_report_weight(user):
    return 1


def _default_rate_limit(user, action):
    from django.conf import settings

    return settings.HUOLI["RATE_LIMITS"].get(action)


report_weight = Provider("report_weight", _default_report_weight,
                         "ask(user) -> int: how much a report by this member counts (engagement: by level)")
rate_limit = Provider("rate_limit", _default_rate_limit,
                      "ask(user, action) -> (count, seconds) or None: the member's limit for topic, post, "
                      "vote, vote_day, report, upload (engagement: by level; default settings.HUOLI['RATE_LIMITS'])")



def _default_member_level(user):
    return None


member_level = Provider("member_level", _default_member_level,
                        "ask(user) -> int or None: the member's level (engagement.levels), for requirements such as "
                        "a deputy recruitment round's (forum.groups); None: levels are not installed")

# --- related rows shown next to members' names -------------------------------------------------
# select_related paths, from a User, that other apps register so pages listing members can load
# what those apps show next to a name in the same query (engagement adds its level and badge).
member_select_related: list[str] = []


def member_related(prefix=""):
    """The registered paths under `prefix` (e.g. "author"): qs.select_related("author", *member_related("author"))."""
    lead = f"{prefix}__" if prefix else ""
    return [f"{lead}{path}" for path in member_select_related]


# --- members shown on a page, prepared in one batch ----------------------------------------------
# The hot pages (a topic's posts, topic lists, the index) do not join what other apps show next to a
# name: five joins per member made PostgreSQL spend 20 ms planning each page's main query (EXPLAIN
# SUMMARY on a topic list: 23 ms planning, 1.2 ms execution). Their selectors call members_shown()
# once with every member the page shows; each loader attaches what its app shows, in one batch
# (engagement.flair: the flair HTML, from the cache in one round trip, one query for the misses).
# A loader must leave members it cannot prepare as they are: the template slot renders them alone.
member_loaders: list = []


def members_shown(members):
    """Prepare `members` (users; None and duplicates allowed) for the names a page shows."""
    members = [m for m in members if m is not None and getattr(m, "pk", None)]
    if members:
        for load in list(member_loaders):
            load(members)
    return members


# --- sections other apps add to the forum's pages and forms --------------------------------------
class TopicSections:
    """Sections another app shows on the topic page (engagement: a topic's polls, a lottery card),
    each under a short key stored on the topic (Topic.sections). The page renders only the keys the
    topic carries (`{% load forum_sections %}{% topic_sections topic %}`), so a topic without any
    section costs its page no query at all, and a key nobody renders (an app removed) is skipped.

    - register(key, render): render(request, topic) -> the section's HTML (a safe string). It runs on
      every page of the topic, for members, and for guests inside their cached fragment of the page:
      an app that changes what its section shows calls forum.cache.bump_topic (show/hide do).
    - show(topic_id=, key=) / hide(topic_id=, key=): the owning app's services call them, inside
      their transaction, when a topic gains its first (or loses its last) item of that kind.
    """

    def __init__(self, name, doc=""):
        self.name = name
        self.__doc__ = doc or self.__doc__
        self._renderers = {}

    def register(self, key, render):
        self._renderers[key] = render
        return render

    def unregister(self, key):
        self._renderers.pop(key, None)

    def render(self, request, topic):
        parts = []
        for key in topic.sections or ():
            render = self._renderers.get(key)
            if render is not None:
                parts.append(str(render(request, topic)))
        return "".join(parts)

    def _set(self, topic_id, key, present):
        from .cache import bump_topic
        from .models import Topic

        with transaction.atomic():
            current = Topic.objects.select_for_update().filter(pk=topic_id).values_list("sections", flat=True).first()
            if current is None:
                return False
            keys = list(current or [])
            if (key in keys) == present:
                return False
            keys = [*keys, key] if present else [k for k in keys if k != key]
            Topic.objects.filter(pk=topic_id).update(sections=keys)
            bump_topic(topic_id)
        return True

    def show(self, *, topic_id, key):
        """Mark the topic as carrying `key` (idempotent). True when it changed."""
        return self._set(topic_id, key, True)

    def hide(self, *, topic_id, key):
        """Remove `key` from the topic (idempotent). True when it changed."""
        return self._set(topic_id, key, False)


class FormSections(_Connectable):
    """Sections another app adds to a forum form, written in the same transaction as the forum's
    own write (the new-topic form: engagement.polls adds an optional "add a poll" section). The
    form's view stays unaware of what the sections are.

    A provider is connected with connect(fn): fn(request, data) returns a section, or None to add
    nothing for this member. A section has:
      - html: its fields (a safe string), rendered inside the form with what the member typed and
        its errors;
      - is_valid() -> bool: parse and check all that needs no forum object yet;
      - save(**kwargs): called after the forum's write, inside the same transaction (for the
        new-topic form: topic=, actor=); it raises a ForumError to refuse, which rolls back the whole
        write (the section keeps the error to show it).
    """


    def bind(self, request, data=None):
        sections = (fn(request, data) for fn in list(self._fns))
        return [s for s in sections if s is not None]

    @staticmethod
    def all_valid(sections):
        results = [section.is_valid() for section in sections]  # every section, so all errors show
        return all(results)

    @staticmethod
    def save(sections, **kwargs):
        for section in sections:
            section.save(**kwargs)


class TopicTools(_Connectable):
    """Links other apps add to the tools row of a topic page, for the signed-in member reading it
    (engagement.polls: "Add a poll" for the topic's author). connect(fn): fn(user, topic) returns
    (label, url) pairs, or (label, None, reason) for a tool this member may not use yet: shown
    disabled with the reason, instead of a link to a refusal page. It runs on every member's topic
    page and must run no query for readers it offers nothing: decide from the topic and the user
    first, and let the linked page check the rest (with a clear message)."""


    def links(self, user, topic):
        return [link for fn in list(self._fns) for link in fn(user, topic)]


class PostTools(_Connectable):
    """Controls other apps add to a post's actions row, for the signed-in member reading it
    (engagement.tips: the tip button; engagement.bounties: "Accept this answer" for the asker).
    connect(fn): fn(request, post, topic) returns HTML fragments (safe strings). It runs for every
    post on a member's page and must run no query: decide from the post, the topic and the user,
    and let the endpoint the control posts to check the rest (with a clear message)."""

    def render(self, request, post, topic):
        return [str(part) for fn in list(self._fns) for part in fn(request, post, topic)]


topic_sections = TopicSections("topic_sections")
post_tools = PostTools("post_tools")
topic_tools = TopicTools("topic_tools")
topic_form = FormSections("topic_form", "Sections of the new-topic form; save(topic=, actor=) after topic_create.")


# --- slots other apps fill in the forum's templates ------------------------------------------------
class TemplateSlots:
    """Named places in the forum's templates that other apps fill, so that the forum's templates load no
    other app's tags, static files or URLs: `{% load forum_tags %}{% hook "member_badge" member %}` renders,
    in order, whatever is registered for the slot; a slot nobody fills renders nothing (the forum alone
    renders every page, see tests/forum_only).

    register(slot, render, order=100): render(context, *args) returns HTML (a safe string: escape what you
    put in it; forum.lib.slots has builders: a stylesheet, a script, a template included as a tag would). Per-row slots (member_badge,
    topic_mark, post_controls) run once per row: they must use what the page's select_related loaded
    (`member_select_related`) and run no query of their own."""

    SLOTS = {
        "head": "stylesheets and <meta> in <head>, on every page",
        "header": "the site header, after the brand (search: the search box)",
        "nav": "main navigation items (<li>) for everyone, after Latest",
        "nav_member": "items (<li>) of a signed-in member's avatar menu in the header, after Profile",
        "nav_moderator": "items (<li>) of the avatar menu's Staff section for moderators, after the moderation queue",
        "scripts": "<script> tags at the end of <body>",
        "community": "links (<li>) in the header's Community menu and the footer, for everyone (engagement: badges "
                     "and leaderboards; cms: the landing page, collections, digests, rules); no query of their own",
        "member_badge": "after a member's name; args: member",
        "topic_mark": "after a topic's title in topic lists; args: topic",
        "topic_controls": "under the title on a topic's page; args: topic",
        "post_controls": "in a reply's row of actions; args: post",
        "member_actions": "buttons on a member's page, seen by another signed-in member (messaging: write to them); "
                          "args: member",
        "index_top": "on top of the forum index, under its title (tasks: the newcomer card, loaded by htmx)",
        "member_profile": "on a member's profile, under the name (follows: counts and the follow button); args: member",
        "category_head": "in a category page's heading, by New topic (follows: the follow button); args: category",
        "tag_head": "in a tag page's heading (follows: the follow button); args: tag",
        "mod_member": "on the moderators' page about a member (engagement: level and points history); args: member",
        "group_applicant": "on a group application's review screen, by the answers (engagement: the applicant's "
                           "level and KOL score); args: member",
    }

    def __init__(self):
        self._renderers = {slot: [] for slot in self.SLOTS}

    def register(self, slot, render, order=100):
        if slot not in self._renderers:
            raise KeyError(f"no template slot {slot!r}; the forum's slots are {sorted(self.SLOTS)}")
        entries = [e for e in self._renderers[slot] if e[1] is not render]
        self._renderers[slot] = sorted([*entries, (order, render)], key=lambda e: e[0])
        return render

    def unregister(self, slot, render):
        self._renderers[slot] = [e for e in self._renderers[slot] if e[1] is not render]

    def filled(self, slot):
        return bool(self._renderers[slot])

    def render(self, slot, context, *args):
        return mark_safe("".join(str(render(context, *args)) for _, render in self._renderers[slot]))


template_slots = TemplateSlots()

"""Rendered-fragment cache for anonymous readers, never stale.

Every topic, every category and the forum as a whole (index, latest) have a *version* number in
the cache. A fragment is stored together with the version it was rendered under; a reader fetches
the version and the fragment in one round trip (`get_many`) and uses the fragment only if the two
versions match. forum.services bumps the versions at every write that changes what a page shows:

- `bump_topic(topic_id)`: the topic page (posts, votes, edits, hide/delete/restore, flags, title);
- `bump_category(category_id)`: that category's topic list, and the forum-wide version (the index
  and the latest list show every category);
- `bump_members()`: every fragment, because a member's name, avatar, level or chosen badge, shown
  next to their posts and topics everywhere, changed (profile edits and level changes are rare next
  to reads, and this costs no extra round trip: the members' version is fetched with the others).

A bump happens twice: at once, and again after the transaction commits. The second bump is the one
that matters: a reader who fetched the new version while the write was still uncommitted may have
stored a fragment built from the old rows under it; the after-commit bump retires that fragment.

Versions start from `time.time_ns()`, so a version that was evicted and re-created never repeats an
old one. Fragments also expire after settings.HUOLI["ANON_PAGE_CACHE_SECONDS"] whatever happens.

Keys are hashed, so any tag slug or language code is safe for every cache backend.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

PREFIX = "huoli:frag"


def _version_key(scope, ident):
    return f"{PREFIX}:v:{scope}:{ident}"


def _fragment_key(name, parts):
    digest = hashlib.md5("\x1f".join(str(p) for p in parts).encode(), usedforsecurity=False).hexdigest()
    return f"{PREFIX}:f:{name}:{digest}"


def _bump_now(key):
    try:
        cache.incr(key)
    except ValueError:  # missing (never set or evicted): start afresh, above any earlier value
        cache.set(key, time.time_ns(), None)


def _bump(key):
    _bump_now(key)
    transaction.on_commit(lambda: _bump_now(key))


def _version(key):
    value = cache.get(key)
    if value is None:
        value = time.time_ns()
        if not cache.add(key, value, None):
            value = cache.get(key, value)
    return value


def bump_topic(topic_id):
    _bump(_version_key("topic", topic_id))


def bump_category(category_id):
    _bump(_version_key("category", category_id))
    _bump(_version_key("forum", 0))


def bump_members():
    _bump(_version_key("members", 0))


def cached_fragment(*, scope, ident, name, parts, render):
    """The fragment `name` for `parts` under the current version of (scope, ident); `render()` builds
    it on a miss. One cache round trip on a hit, two plus the render on a miss."""
    vkey = _version_key(scope, ident)
    mkey = _version_key("members", 0)
    fkey = _fragment_key(name, (scope, ident, *parts))
    found = cache.get_many([vkey, mkey, fkey])
    version = (found.get(vkey), found.get(mkey))
    stored = found.get(fkey)
    if None not in version and stored is not None and stored[0] == version:
        return stored[1]
    version = (version[0] if version[0] is not None else _version(vkey),
               version[1] if version[1] is not None else _version(mkey))
    html = render()
    cache.set(fkey, (version, html), settings.HUOLI["ANON_PAGE_CACHE_SECONDS"])
    return html


def cached_value(*, scope, ident, name, build, timeout=300):
    """A small value (a topic's tags) stored under the current version of (scope, ident), for every
    reader, signed in or not: never stale, and kept whatever ANON_PAGE_CACHE_SECONDS says (that
    setting is about whole pages for guests). One cache round trip on a hit."""
    vkey = _version_key(scope, ident)
    fkey = _fragment_key(name, (scope, ident))
    found = cache.get_many([vkey, fkey])
    version, stored = found.get(vkey), found.get(fkey)
    if version is not None and stored is not None and stored[0] == version:
        return stored[1]
    version = version if version is not None else _version(vkey)
    value = build()
    cache.set(fkey, (version, value), timeout)
    return value


def cached_under_members(*, name, idents, build, timeout=600):
    """Values for many `idents` at once (a member's flair, a post's shared HTML), stored under the
    members' version: `bump_members()` retires them all, so a name, avatar, level or badge shown in
    them is never stale. One cache round trip when every value is there; `build(missing)` returns
    {ident: value} for the rest, which are stored for `timeout` seconds. A value built from rows
    read before a write committed is stored under the old version and retired by the write's
    after-commit bump, as for fragments."""
    idents = list(dict.fromkeys(idents))
    if not idents:
        return {}
    mkey = _version_key("members", 0)
    keys = {f"{PREFIX}:m:{name}:{ident}": ident for ident in idents}
    found = cache.get_many([mkey, *keys])
    version = found.get(mkey)
    out = {}
    if version is not None:
        for key, ident in keys.items():
            stored = found.get(key)
            if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == version:
                out[ident] = stored[1]
    missing = [ident for ident in idents if ident not in out]
    if missing:
        version = version if version is not None else _version(mkey)
        built = build(missing)
        if built:
            cache.set_many({f"{PREFIX}:m:{name}:{ident}": (version, value) for ident, value in built.items()}, timeout)
        out.update(built)
    return out


# --- a member's unread-notification count (the badge in the header of every page) ----------------
UNREAD_SECONDS = 60  # the longest a count can lag a change it was not told of (a category's readers)


def unread_key(user_id):
    return f"huoli:unread:{user_id}"


def unread_count(user_id, count):
    """The member's unread count from the cache, or `count()` stored for UNREAD_SECONDS. Stored under
    the version of who may read what (`readable_changed`: a topic moved, a category's readers or a
    member's groups changed), since a notification about a topic the member may no longer read stops
    counting. One cache round trip on a hit."""
    vkey = _version_key("readable", 0)
    found = cache.get_many([vkey, unread_key(user_id)])
    version, stored = found.get(vkey), found.get(unread_key(user_id))
    if version is not None and isinstance(stored, tuple) and stored[0] == version:
        return stored[1]
    version = version if version is not None else _version(vkey)
    value = count()
    cache.set(unread_key(user_id), (version, value), UNREAD_SECONDS)
    return value


def readable_changed(*args, **kwargs):
    """Who may read which topic changed: retire every member's cached unread count."""
    _bump(_version_key("readable", 0))


def unread_changed(user_id):
    """A notification of this member's was made or read: forget the count, now and after commit."""
    cache.delete(unread_key(user_id))
    transaction.on_commit(lambda: cache.delete(unread_key(user_id)))


# --- a member's groups (permissions.group_ids / group_names) -------------------------------------
def member_groups(user_id, load):
    """`load()` cached per member under the groups' version: one round trip on a hit."""
    vkey = _version_key("groups", 0)
    key = f"huoli:ugroups:{user_id}"
    found = cache.get_many([vkey, key])
    version, stored = found.get(vkey), found.get(key)
    if version is not None and stored is not None and stored[0] == version:
        return stored[1]
    version = version if version is not None else _version(vkey)
    value = load()
    cache.set(key, (version, value), 3600)
    return value


def bump_groups(*args, **kwargs):
    _bump(_version_key("groups", 0))
    readable_changed()


def _category_saved(sender, instance, **kwargs):
    bump_category(instance.pk)
    readable_changed()  # its readers may have changed


def connect_signals():
    """Admin edits of a category (name, colour, order, who may read) retire its cached lists."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from .models import Category, Topic

    post_save.connect(_category_saved, sender=Category, dispatch_uid="huoli_cache_category_saved")
    post_delete.connect(_category_saved, sender=Category, dispatch_uid="huoli_cache_category_deleted")
    connect_group_signals()
    from . import hooks

    hooks.topic_moved.connect(readable_changed)
    m2m_changed.connect(_topic_tags_changed, sender=Topic.tags.through, dispatch_uid="huoli_cache_topic_tags")


def _topic_tags_changed(sender, instance, reverse=False, pk_set=None, **kwargs):
    """Tags changed outside the services (the admin): retire the topics' cached tags."""
    for topic_id in (pk_set or ()) if reverse else (instance.pk,):
        bump_topic(topic_id)


def connect_group_signals():
    """Any change of who is in which group, or of a group, retires every member's cached groups."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db.models.signals import m2m_changed, post_delete, post_save

    post_save.connect(bump_groups, sender=Group, dispatch_uid="huoli_cache_group_saved")
    post_delete.connect(bump_groups, sender=Group, dispatch_uid="huoli_cache_group_deleted")
    m2m_changed.connect(bump_groups, sender=get_user_model().groups.through,
                        dispatch_uid="huoli_cache_member_groups")


connect_signals()

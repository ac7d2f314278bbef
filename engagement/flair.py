"""The flair next to members' names (level, chosen badge, shop title and decoration), for a page of
members in one batch.

Forum pages no longer join the four flair tables with every member they show (PostgreSQL spent
about 20 ms planning a topic list's query with those joins); they call forum.hooks.members_shown()
and `load()` marks them as one batch, whose flair is fetched when the first name renders. The HTML is kept in the
cache per member and language under the members' version (forum.cache.cached_under_members), so a
page whose members were all seen before costs one cache round trip and no query; the misses cost one
query together. Whatever changes a flair bumps the members' version (level_sync, and the signals in
`connect()` for badge choices, shop titles and decorations, badges and levels)."""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save
from django.template.loader import render_to_string
from django.utils.translation import get_language

from forum import cache as fragment_cache

from .selectors import with_member_flair

TIMEOUT = 3600


def render(member):
    """The flair HTML of one member whose flair rows are loaded (with_member_flair)."""
    from .templatetags.engagement_tags import member_flair

    return render_to_string("engagement/includes/member_flair.html", member_flair(member)).strip()


def _build(ids):
    rows = with_member_flair(get_user_model().objects.filter(pk__in=ids))
    return {row.pk: render(row) for row in rows}


class _Batch:
    """Members one page shows together: their flair is fetched for all of them when the first name is
    rendered, so a selector's caller that renders no names (the JSON API) costs nothing."""

    def __init__(self, members):
        self.members = members
        self.done = False

    def resolve(self):
        if self.done:
            return
        self.done = True
        found = fragment_cache.cached_under_members(
            name=f"flair:{get_language() or ''}", idents=[m.pk for m in self.members], build=_build, timeout=TIMEOUT)
        for member in self.members:
            member._flair_html = found.get(member.pk, "")


def load(members):
    """Mark `members` as one batch (forum.hooks.member_loaders); nothing is fetched until a name renders."""
    todo = [m for m in members if not hasattr(m, "_flair_html") and not hasattr(m, "_flair_batch")]
    if todo:
        batch = _Batch(todo)
        for member in todo:
            member._flair_batch = batch


def html_for(member):
    """The flair of one member: its batch's (fetched with the batch's first name), else from the rows
    the caller joined (with_member_flair), else from the cache (one round trip, a query on a miss)."""
    prepared = getattr(member, "_flair_html", None)
    if prepared is not None:
        return prepared
    batch = getattr(member, "_flair_batch", None)
    if batch is None:
        User = get_user_model()
        if all(getattr(User, path).is_cached(member) for path in ("member_level", "badge_choice", "shop_title")):
            return render(member)
        batch = _Batch([member])
    batch.resolve()
    return getattr(member, "_flair_html", "")


def _members_changed(**kwargs):
    fragment_cache.bump_members()


def connect():
    """Bump the members' version whenever a flair's rows change (cache upkeep only)."""
    from .badges.models import Badge, BadgeChoice
    from .levels.models import Level
    from .shop.models import MemberDecoration, MemberTitle

    for model in (Badge, BadgeChoice, Level, MemberDecoration, MemberTitle):
        for signal, verb in ((post_save, "save"), (post_delete, "delete")):
            signal.connect(_members_changed, sender=model, dispatch_uid=f"flair-{model.__name__}-{verb}")

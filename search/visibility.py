"""Who may see what in search, decided by the forum's own rules (forum.permissions) and reduced
to what every backend can filter on: readable category ids and whether hidden entries show."""

from forum import permissions
from forum.models import Category

from .documents import Visibility


def visibility_for(user, *, include_hidden=False):
    """Staff read every category; others read open categories and those of their groups.
    Hidden and deleted content shows only to moderators, and only when they ask for it."""
    include_hidden = bool(include_hidden) and permissions.is_moderator(user)
    if user.is_authenticated and user.is_staff:
        return Visibility(category_ids=None, include_hidden=include_hidden)
    categories = list(Category.objects.only("id", "read_group_id"))
    readable = frozenset(c.pk for c in categories if permissions.can_read_category(user, c))
    return Visibility(
        category_ids=readable, include_hidden=include_hidden,
        excluded_category_ids=frozenset(c.pk for c in categories) - readable,
        max_category_id=max((c.pk for c in categories), default=0),
    )

"""Who may do what, as plain check functions (Misago style).

`check_*` raise NotAllowed with a message a person can act on; `can_*` return a bool for templates.
Group membership is read once per request and cached on the user object."""

from django.utils import timezone
from django.utils.translation import gettext as _

from . import hooks
from .errors import NotAllowed

MODERATORS = "Moderators"
EDITORS = "Editors"
MEMBERS = "Members"


def _groups(user):
    """(ids, names) of the member's groups: once per request (on the user object), and across
    requests from the cache, checked against a version that every change of a member's groups or
    of any group bumps (forum.cache.connect_group_signals), so it is never stale."""
    cached = getattr(user, "_huoli_groups", None)
    if cached is None:
        from . import cache as fragment_cache

        def load():
            rows = list(user.groups.values_list("id", "name"))
            return frozenset(r[0] for r in rows), frozenset(r[1] for r in rows)

        cached = fragment_cache.member_groups(user.pk, load)
        user._huoli_groups = cached
    return cached


def group_ids(user):
    if not user.is_authenticated:
        return frozenset()
    return _groups(user)[0]


def group_names(user):
    if not user.is_authenticated:
        return frozenset()
    return _groups(user)[1]


def is_moderator(user):
    return user.is_authenticated and (user.is_staff or MODERATORS in group_names(user))


def moderated_category_ids(user):
    """Ids of the categories `user` moderates as a delegated category moderator (版主). Members who
    moderate nothing cost no query (User.moderates_categories); others one query per request."""
    if not user.is_authenticated or not getattr(user, "moderates_categories", False):
        return frozenset()
    cached = getattr(user, "_huoli_mod_category_ids", None)
    if cached is None:
        from .models import CategoryModerator

        cached = frozenset(CategoryModerator.objects.filter(member_id=user.pk, is_active=True)
                           .values_list("category_id", flat=True))
        user._huoli_mod_category_ids = cached
    return cached


def _category_of(obj):
    """A Category from a category, topic or post (None for None)."""
    from .models import Post, Topic

    if isinstance(obj, Post):
        obj = obj.topic
    if isinstance(obj, Topic):
        return obj.category
    return obj


def can_moderate(user, obj=None):
    """May `user` moderate in this category (or the category of this topic or post)? Global
    moderators and staff everywhere; a category moderator only inside their categories. With no
    object: only global moderators and staff."""
    if not user.is_authenticated or not user.is_active or getattr(user, "is_banned", False):
        return False
    if is_moderator(user):
        return True
    category = _category_of(obj)
    return category is not None and category.pk in moderated_category_ids(user)


def can_moderate_anywhere(user):
    """Global moderator, staff, or moderator of at least one category (the queue's door)."""
    return can_moderate(user) or bool(moderated_category_ids(user))


def is_editor(user):
    return user.is_authenticated and (user.is_staff or EDITORS in group_names(user))


def can_read_category(user, category):
    if category.read_group_id is None:
        return True
    if not user.is_authenticated:
        return False
    return user.is_staff or category.read_group_id in group_ids(user)


def check_read_category(user, category):
    if not can_read_category(user, category):
        raise NotAllowed(_("This category is private."))


def can_read_topic(user, topic):
    if not can_read_category(user, topic.category):
        return False
    if topic.is_hidden:
        return user.is_authenticated and (user.pk == topic.author_id or can_moderate(user, topic.category))
    return True


def can_be_notified(user, topic=None):
    """May `user` be told about `topic` (None: a notice about no topic)? Active, and able to read it."""
    if not user.is_active:
        return False
    return topic is None or can_read_topic(user, topic)


def check_read_topic(user, topic):
    if not can_read_topic(user, topic):
        raise NotAllowed(_("You may not read this topic."))


def check_member(user):
    if not user.is_authenticated:
        raise NotAllowed(_("Please sign in first."), code="login_required")
    if not user.is_active:
        raise NotAllowed(_("Your account is not active."))
    if getattr(user, "is_banned", False):
        raise NotAllowed(_("Your account is banned."), code="banned")


def check_not_silenced(user):
    """A silenced member may read but not post, vote or report until the silence ends."""
    if getattr(user, "is_silenced", False):
        until = user.silenced_until
        if until is None:
            raise NotAllowed(_("You have been silenced by a moderator."), code="silenced")
        raise NotAllowed(_("You have been silenced by a moderator until %(until)s.") % {
            "until": timezone.localtime(until).strftime("%Y-%m-%d %H:%M")}, code="silenced")


def can_post_in_category(user, category):
    if not user.is_authenticated or not can_read_category(user, category):
        return False
    return category.post_group_id is None or user.is_staff or category.post_group_id in group_ids(user)


def check_create_topic(user, category, *, source=""):
    check_member(user)
    check_not_silenced(user)
    check_read_category(user, category)
    if not can_post_in_category(user, category):
        raise NotAllowed(_("You may not start topics in %(category)s.") % {"category": category.name})
    hooks.can_post.check(user, category, kind="topic", source=source)


def check_reply(user, topic, *, source=""):
    check_member(user)
    check_not_silenced(user)
    check_read_topic(user, topic)
    if topic.is_locked and not can_moderate(user, topic.category):
        raise NotAllowed(_("This topic is locked: no new replies."), code="locked")
    if not can_post_in_category(user, topic.category):
        raise NotAllowed(_("You may not post in %(category)s.") % {"category": topic.category.name})
    hooks.can_post.check(user, topic.category, kind="reply", source=source, topic=topic)


def check_upload_image(user):
    """May `user` upload an image from a composer (a topic, a reply, a private message)? As for
    posting: a signed-in, active, unbanned and unsilenced member, and whatever the policies add
    (engagement: a level whose posts may hold images)."""
    check_member(user)
    check_not_silenced(user)
    hooks.can_upload_image.check(user)


def check_vote(user, post, value=1):
    check_member(user)
    check_not_silenced(user)
    check_read_topic(user, post.topic)
    if post.author_id == user.pk:
        raise NotAllowed(_("You cannot vote on your own post."), code="own_post")
    if not post.is_visible:
        raise NotAllowed(_("This post is not available."))
    hooks.can_vote.check(user, post, value)


def can_edit_post(user, post):
    if not user.is_authenticated or getattr(user, "is_banned", False):
        return False
    moderates = can_moderate(user, post.topic.category)
    if not post.is_visible and not moderates:
        return False
    if moderates:
        return True
    return post.author_id == user.pk and not post.topic.is_locked


def check_edit_post(user, post):
    check_member(user)
    if not can_edit_post(user, post):
        raise NotAllowed(_("You may only edit your own posts."), code="not_author")


def check_delete_post(user, post):
    check_member(user)
    moderates = can_moderate(user, post.topic.category)
    if not (moderates or post.author_id == user.pk):
        raise NotAllowed(_("You may only delete your own posts."))
    if post.number == 1 and not moderates and post.topic.reply_count > 0:
        raise NotAllowed(_("A topic with replies can only be removed by a moderator."))


def check_moderate(user, obj=None):
    """May `user` moderate `obj` (a category, topic or post)? Category moderators only inside their
    categories; with no object, only global moderators and staff."""
    check_member(user)
    if not can_moderate(user, obj):
        if obj is not None and moderated_category_ids(user):
            raise NotAllowed(_("You moderate other categories, not this one."), code="not_your_category")
        raise NotAllowed(_("Only moderators may do this."), code="not_moderator")


def check_staff(user):
    check_member(user)
    if not user.is_staff:
        raise NotAllowed(_("Only staff may do this."), code="not_staff")


def can_feature(user):
    """Featuring (精华) is an editorial act: editors and moderators."""
    return user.is_authenticated and user.is_active and (is_editor(user) or is_moderator(user))


def check_feature(user, topic):
    """May `user` feature or unfeature `topic` (or one of its posts)?"""
    check_member(user)
    if not can_feature(user):
        raise NotAllowed(_("Only editors and moderators may feature content."), code="not_editor")
    check_read_topic(user, topic)

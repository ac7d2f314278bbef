from django.utils.functional import SimpleLazyObject

from . import permissions, selectors


def forum(request):
    """Lazy so that pages which never show the badge pay no query for it."""
    user = request.user
    return {
        "unread_notifications": SimpleLazyObject(lambda: selectors.notifications_unread_count(user=user)),
        "is_moderator": SimpleLazyObject(lambda: permissions.is_moderator(user)),
        "is_editor": SimpleLazyObject(lambda: permissions.is_editor(user)),
        # moderation (forum/moderation): the queue link and its count of open items
        "can_moderate_anywhere": SimpleLazyObject(lambda: permissions.can_moderate_anywhere(user)),
        "mod_queue_count": SimpleLazyObject(lambda: _queue_count(user)),
    }


def _queue_count(user):
    from .moderation.selectors import queue_open_count

    return queue_open_count(user=user)

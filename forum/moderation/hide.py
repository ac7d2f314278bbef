"""Hide and unhide a post or a topic (moderators of its category)."""

from django.db import transaction
from django.utils.translation import gettext as _

from .. import permissions, services
from ..errors import Conflict
from ..models import Post, Topic
from .common import clean_reason, record


@transaction.atomic
def post_hide(*, actor, post, hidden, reason=""):
    reason = clean_reason(reason)
    post = Post.objects.select_for_update(of=("self",)).select_related("topic__category", "author").get(pk=post.pk)
    permissions.check_moderate(actor, post)
    if post.is_hidden == bool(hidden):
        raise Conflict(_("This post is already hidden.") if hidden else _("This post is not hidden."))
    post = services.post_visibility_set(actor=actor, post=post, field="is_hidden", value=bool(hidden))
    record(actor=actor, action="post_hide" if hidden else "post_unhide", target=post, reason=reason,
           fallback=_("hidden") if hidden else _("unhidden"), subject=post.author,
           before={"is_hidden": not hidden}, after={"is_hidden": bool(hidden)}, category=post.topic.category)
    return post


@transaction.atomic
def topic_hide(*, actor, topic, hidden, reason=""):
    reason = clean_reason(reason)
    topic = Topic.objects.select_for_update(of=("self",)).select_related("category", "author").get(pk=topic.pk)
    permissions.check_moderate(actor, topic)
    if topic.is_hidden == bool(hidden):
        raise Conflict(_("This topic is already hidden.") if hidden else _("This topic is not hidden."))
    topic = services.topic_flag_set(actor=actor, topic=topic, field="is_hidden", value=bool(hidden))
    record(actor=actor, action="topic_hide" if hidden else "topic_unhide", target=topic, reason=reason,
           fallback=_("hidden") if hidden else _("unhidden"), subject=topic.author,
           before={"is_hidden": not hidden}, after={"is_hidden": bool(hidden)}, category=topic.category)
    return topic

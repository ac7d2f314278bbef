"""Soft delete and restore by a moderator, with a reason. The post keeps its number and shows as a
placeholder; deleting an opening post hides its topic."""

from django.db import transaction
from django.utils.translation import gettext as _

from .. import permissions, services
from ..errors import Conflict
from ..models import Post
from .common import clean_reason, record


@transaction.atomic
def post_soft_delete(*, actor, post, reason=""):
    reason = clean_reason(reason)
    post = Post.objects.select_for_update(of=("self",)).select_related("topic__category", "author").get(pk=post.pk)
    permissions.check_moderate(actor, post)
    if post.is_deleted:
        raise Conflict(_("This post is already deleted."))
    post = services.post_visibility_set(actor=actor, post=post, field="is_deleted", value=True)
    if post.number == 1:
        services.topic_flag_set(actor=actor, topic=post.topic, field="is_hidden", value=True)
    record(actor=actor, action="post_delete", target=post, reason=reason, fallback=_("deleted"), subject=post.author,
           before={"is_deleted": False}, after={"is_deleted": True}, category=post.topic.category)
    return post


@transaction.atomic
def post_restore(*, actor, post, reason=""):
    reason = clean_reason(reason)
    post = Post.objects.select_for_update(of=("self",)).select_related("topic__category", "author").get(pk=post.pk)
    permissions.check_moderate(actor, post)
    if not post.is_deleted:
        raise Conflict(_("This post is not deleted."))
    post = services.post_visibility_set(actor=actor, post=post, field="is_deleted", value=False)
    if post.number == 1:
        services.topic_flag_set(actor=actor, topic=post.topic, field="is_hidden", value=False)
    record(actor=actor, action="post_restore", target=post, reason=reason, fallback=_("restored"),
           subject=post.author, before={"is_deleted": True}, after={"is_deleted": False}, category=post.topic.category)
    return post


def post_delete(*, actor, post, reason=""):
    """The delete behind every "delete" button and `DELETE /api/v1/posts/<id>`: members delete their own posts
    (services.post_delete); anyone else deleting a post is moderating, so it is the audited verb above."""
    permissions.check_delete_post(actor, post)
    if post.author_id == actor.pk:
        return services.post_delete(actor=actor, post=post)
    return post_soft_delete(actor=actor, post=post, reason=reason)

"""A moderator edits a member's post: the reason is required and kept in the edit history
(PostRevision.reason) and in the audit log with the text before and after."""

from django.db import transaction

from .. import permissions, services
from .common import clean_reason, record


@transaction.atomic
def post_moderator_edit(*, actor, post, body, title=None, reason=""):
    reason = clean_reason(reason, required=True)
    permissions.check_moderate(actor, post)
    old_source, old_title = post.source, post.topic.title
    post = services.post_edit(actor=actor, post=post, body=body, title=title, reason=reason)
    before, after = {"source": old_source}, {"source": post.source}
    if post.number == 1 and title is not None:
        post.topic.refresh_from_db(fields=["title", "slug"])
        before["title"], after["title"] = old_title, post.topic.title
    record(actor=actor, action="post_edit", target=post, reason=reason, subject=post.author, before=before,
           after=after, category=post.topic.category)
    return post

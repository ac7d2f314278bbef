"""The words for the audit entries the forum writes (audit.labels)."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "moderation.topic_lock": _("Lock a topic"),
    "moderation.topic_unlock": _("Unlock a topic"),
    "moderation.topic_pin": _("Pin a topic"),
    "moderation.topic_unpin": _("Unpin a topic"),
    "moderation.topic_hide": _("Hide a topic"),
    "moderation.topic_unhide": _("Show a hidden topic"),
    "moderation.topic_move": _("Move a topic"),
    "moderation.topic_merge": _("Merge topics"),
    "moderation.topic_split": _("Split posts into a new topic"),
    "moderation.topic_auto_hide": _("Topic hidden by reports"),
    "moderation.post_hide": _("Hide a post"),
    "moderation.post_unhide": _("Show a hidden post"),
    "moderation.post_delete": _("Delete a post"),
    "moderation.post_restore": _("Restore a post"),
    "moderation.post_edit": _("Edit a post"),
    "moderation.post_approve": _("Approve a post"),
    "moderation.post_reject": _("Reject a post"),
    "moderation.post_auto_hide": _("Post hidden by reports"),
    "moderation.member_auto_hide": _("Member hidden by reports"),
    "moderation.member_ban": _("Ban a member"),
    "moderation.member_unban": _("Lift a ban"),
    "moderation.member_silence": _("Silence a member"),
    "moderation.member_unsilence": _("Lift a silence"),
    "moderation.member_remove_posts": _("Remove a member's posts"),
    "moderation.member_note": _("Add a staff note about a member"),
    "moderation.queue_claim": _("Claim a queue item"),
    "moderation.queue_release": _("Release a queue item"),
    "moderation.report_resolve": _("Resolve a report"),
    "moderation.moderator_appoint": _("Appoint a moderator"),
    "moderation.moderator_demote": _("Remove a moderator"),
    "moderation.moderator_application_accept": _("Accept a moderator application"),
    "moderation.moderator_application_reject": _("Reject a moderator application"),
    "forum.topic_feature": _("Feature a topic"),
    "forum.topic_unfeature": _("Unfeature a topic"),
    "forum.post_feature": _("Feature a post"),
    "forum.post_unfeature": _("Unfeature a post"),
}


def register():
    from audit import labels

    labels.register(LABELS)

"""The words for the audit entries the groups write (audit.labels)."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "moderation.group_create": _("Create a group"),
    "moderation.group_edit": _("Edit a group"),
    "moderation.group_application_approve": _("Approve a group application"),
    "moderation.group_application_reject": _("Reject a group application"),
    "moderation.group_invite": _("Invite a member into a group"),
    "moderation.group_member_remove": _("Remove a member from a group"),
    "moderation.group_member_mute": _("Mute a member in a group"),
    "moderation.group_member_unmute": _("Unmute a member in a group"),
    "moderation.group_kick_advertiser": _("Kick an advertiser from a group"),
    "moderation.group_deputy_appoint": _("Appoint a deputy group owner"),
    "moderation.group_deputy_suspend": _("Suspend a deputy group owner"),
    "moderation.group_deputy_restore": _("Restore a deputy group owner"),
    "moderation.group_deputy_remove": _("Remove a deputy group owner"),
    "moderation.group_handbook_acknowledge": _("Acknowledge the group handbook"),
    "moderation.group_promote": _("Promote a member into the main group"),
    "moderation.group_promotion_dismiss": _("Dismiss a promotion proposal"),
    "moderation.group_demote": _("Demote a member from the main group"),
    "moderation.group_event_create": _("Create a recurring group event"),
    "moderation.group_round_open": _("Open a deputy recruitment round"),
    "moderation.group_round_close": _("Close a deputy recruitment round"),
    "moderation.group_candidacy_reject": _("Reject a deputy candidacy"),
}


def register():
    from audit.labels import register as register_labels

    register_labels(LABELS)

"""Moderation, delegated category moderators (版主) and trust and safety, Misago style: one module per
verb (hide, lock, pin, move, merge, split, delete, edit, bans, cleanup), plus reports and the
moderation queue, the approval queue with its spam rules, and category moderators with their
applications and stats. Every verb checks forum.permissions.can_moderate(user, category) and writes
an audit entry (audit.log.audit_record) in the same transaction."""

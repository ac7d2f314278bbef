"""Member groups (小组): a main group with sub-groups, admission by application, owners and deputy owners
with powers scoped to their group.

Each group is backed by a forum category (its topic list and composer) and a Django auth group (its
members). The category reads and posts through that auth group, so the forum's one visibility rule
(forum.permissions.can_read_category and the selectors' read_group filters) keeps a members-only group's
topics from everyone else on every channel: pages, the API, search, feeds, WebSocket joins, notifications
and mail. Deputies and owners moderate the group as category moderators of that category, through the
same verbs (forum/moderation/) and audit log as site moderation."""

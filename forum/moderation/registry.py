"""The one table of moderation verbs (as Misago's moderation actions): what each is called, what it applies to,
whether it needs a reason, what a person confirms, and the action function that does the work.

Every entry point that moderates (the topic page's quick tools, the /mod/ pages, the bulk and admin actions, the
API's moderation endpoints) looks the verb up here and calls `run`, so none can skip the permission check or the
audit entry that each action function makes inside its own transaction. A new verb is one row here; the
permission matrix test iterates this table, so it cannot be added without its row there too.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from ..errors import InvalidInput
from ..models import Post, Topic
from . import delete, edit, hide, lock, merge, move, pin, split

TOPIC, POST = "topic", "post"


@dataclass(frozen=True)
class Verb:
    name: str
    applies_to: str  # TOPIC or POST
    label: object
    action: object  # callable(actor, obj, data) -> the changed object
    confirm: object = ""
    reason_required: bool = False
    quick: bool = False  # offered as a one-click tool on the topic page
    fields: tuple = field(default_factory=tuple)  # extra inputs the verb reads from `data`
    audit_action: tuple = ()  # the audit entries' action names (moderation.<name>) the verb may write
    done: object = ""  # what the moderator reads after it, with %(title)s, %(category)s or %(number)s of the result

    @property
    def key(self):
        return f"{self.applies_to}.{self.name}"

    def done_message(self, result):
        """The translated line shown after the verb ran on (or returned) `result`, e.g. "话题已锁定。" or
        "已将话题移动到「问答」。": every entry point that speaks to a person uses it."""
        if isinstance(result, Topic):
            values = {"title": result.title, "category": result.category.name}
        elif isinstance(result, Post):
            values = {"number": result.number, "title": result.topic.title}
        else:
            values = {}
        return str(self.done or _("Done.")) % values


def _pin(actor, topic, data):
    return pin.topic_pin(actor=actor, topic=topic, scope=data.get("scope") or "category",
                         until=data.get("until") or None, reason=data.get("reason", ""))


def _move(actor, topic, data):
    category = data.get("category")
    if category in (None, ""):
        raise InvalidInput(_("Choose the category to move the topic to."), field="category", code="required")
    return move.topic_move(actor=actor, topic=topic, category=category, reason=data.get("reason", ""))


def _merge(actor, topic, data):
    target = data.get("target")
    if target in (None, "", 0):
        raise InvalidInput(_("Give the number or the link of the topic to merge into."), field="target")
    return merge.topics_merge(actor=actor, source=topic, target=target, reason=data.get("reason", ""))


def _split(actor, topic, data):
    return split.posts_split(actor=actor, topic=topic, post_ids=data.get("post_ids") or [],
                             title=data.get("title") or "", category=data.get("category") or None,
                             reason=data.get("reason", ""))


def _edit(actor, post, data):
    body = data.get("body")
    return edit.post_moderator_edit(actor=actor, post=post, body=body if body is not None else post.source,
                                    title=data.get("title"), reason=data.get("reason", ""))


VERBS = (
    Verb("lock", TOPIC, _("Lock"), lambda a, t, d: lock.topic_lock(actor=a, topic=t, locked=True,
                                                                    reason=d.get("reason", "")),
         confirm=_("Lock this topic? Members can no longer reply."), quick=True, audit_action=("topic_lock",),
         done=_("The topic is locked.")),
    Verb("unlock", TOPIC, _("Unlock"), lambda a, t, d: lock.topic_lock(actor=a, topic=t, locked=False,
                                                                        reason=d.get("reason", "")),
         quick=True, audit_action=("topic_unlock",), done=_("The topic is unlocked.")),
    Verb("pin", TOPIC, _("Pin"), _pin, quick=True, fields=("scope", "until"), audit_action=("topic_pin",),
         done=_("The topic is pinned.")),
    Verb("unpin", TOPIC, _("Unpin"), lambda a, t, d: pin.topic_unpin(actor=a, topic=t, reason=d.get("reason", "")),
         quick=True, audit_action=("topic_unpin",), done=_("The topic is no longer pinned.")),
    Verb("hide", TOPIC, _("Hide"), lambda a, t, d: hide.topic_hide(actor=a, topic=t, hidden=True,
                                                                    reason=d.get("reason", "")),
         confirm=_("Hide this topic from members?"), quick=True, audit_action=("topic_hide",),
         done=_("The topic is hidden.")),
    Verb("unhide", TOPIC, _("Unhide"), lambda a, t, d: hide.topic_hide(actor=a, topic=t, hidden=False,
                                                                        reason=d.get("reason", "")),
         quick=True, audit_action=("topic_unhide",), done=_("The topic is visible again.")),
    Verb("move", TOPIC, _("Move to another category"), _move, fields=("category",), audit_action=("topic_move",),
         done=_("The topic is moved to “%(category)s”.")),
    Verb("merge", TOPIC, _("Merge into another topic"), _merge, confirm=_("Merge this topic? This cannot be undone."),
         fields=("target",), audit_action=("topic_merge",), done=_("The topics are merged.")),
    Verb("split", TOPIC, _("Split replies into a new topic"), _split, fields=("post_ids", "title", "category"),
         audit_action=("topic_split",), done=_("The replies are now a topic of their own.")),
    Verb("hide", POST, _("Hide"), lambda a, p, d: hide.post_hide(actor=a, post=p, hidden=True,
                                                                  reason=d.get("reason", "")),
         quick=True, audit_action=("post_hide",), done=_("The post is hidden.")),
    Verb("unhide", POST, _("Unhide"), lambda a, p, d: hide.post_hide(actor=a, post=p, hidden=False,
                                                                      reason=d.get("reason", "")),
         quick=True, audit_action=("post_unhide",), done=_("The post is visible again.")),
    Verb("delete", POST, _("Delete"), lambda a, p, d: delete.post_soft_delete(actor=a, post=p,
                                                                               reason=d.get("reason", "")),
         confirm=_("Delete this post? It shows as a placeholder and can be restored."),
         audit_action=("post_delete",), done=_("The post is deleted.")),
    Verb("restore", POST, _("Restore"), lambda a, p, d: delete.post_restore(actor=a, post=p,
                                                                             reason=d.get("reason", "")),
         quick=True, audit_action=("post_restore",), done=_("The post is restored.")),
    Verb("edit", POST, _("Edit with a reason"), _edit, fields=("body", "title"), audit_action=("post_edit",),
         done=_("The post is edited; the reason is in the audit log.")),
)

REGISTRY = {verb.key: verb for verb in VERBS}


def names(applies_to):
    return tuple(verb.name for verb in VERBS if verb.applies_to == applies_to)


def verb_get(applies_to, name):
    verb = REGISTRY.get(f"{applies_to}.{name}")
    if verb is None:
        raise InvalidInput(_("Unknown moderation action."), field="action", code="unknown_action")
    return verb


def run(applies_to, name, *, actor, obj, data=None):
    """Look the verb up and run its action: the action checks the permission and writes the audit entry."""
    verb = verb_get(applies_to, name)
    data = dict(data or {})
    if verb.reason_required and not str(data.get("reason") or "").strip():
        raise InvalidInput(_("Please give a reason."), field="reason", code="reason_required")
    return verb.action(actor, obj, data)

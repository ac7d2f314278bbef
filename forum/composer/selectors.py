"""Reads of the composer: a member's draft, members for @mention autocomplete, a post's edit history."""

import difflib
from dataclasses import dataclass, field

from django.db.models import F, Q
from django.utils import timezone

from ..models import PostRevision, User
from .models import Draft

MENTION_LIMIT = 8


def draft_get(*, user, place):
    if not user.is_authenticated:
        return None
    return Draft.objects.filter(user=user, place=place).select_related("category").first()


def mention_candidates(*, q, limit=MENTION_LIMIT):
    """Up to `limit` active, unbanned members whose username (or display name) starts with `q`,
    the most recently seen first, then by username: one query."""
    q = (q or "").strip().lstrip("@")
    if not q:
        return []
    now = timezone.now()
    banned = Q(banned_at__isnull=False) & (Q(banned_until__isnull=True) | Q(banned_until__gt=now))
    return list(
        User.objects.filter(is_active=True).exclude(banned)
        .filter(Q(username__istartswith=q) | Q(display_name__istartswith=q))
        .order_by(F("last_seen_at").desc(nulls_last=True), "username")
        .only("id", "username", "display_name", "avatar")[:limit]
    )


@dataclass
class Version:
    number: int  # 1 = as first written
    source: str
    title: str
    created_at: object
    editor: object  # who wrote this version
    reason: str = ""
    diff: list = field(default_factory=list)  # (kind, text) lines against the version before
    title_changed_from: str | None = None


def _diff_lines(old, new):
    lines = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=2):
        if line.startswith(("---", "+++")):
            continue
        kind = "hunk" if line.startswith("@@") else {"+": "add", "-": "del"}.get(line[:1], "same")
        lines.append((kind, line))
    return lines


def post_history(*, post):
    """Every version of a post's Markdown, newest first, each with who wrote it, when, and a diff
    against the one before. A revision stores the source *before* an edit by its editor, so version
    k+1 is by revision k's editor at revision k's time; version 1 is the author's original (one query)."""
    revisions = list(PostRevision.objects.filter(post=post).select_related("editor").order_by("created_at", "id"))
    versions = []
    if revisions:
        versions.append(Version(1, revisions[0].source, revisions[0].title, post.created_at, post.author))
        for i, rev in enumerate(revisions):
            nxt = revisions[i + 1] if i + 1 < len(revisions) else None
            versions.append(Version(i + 2, nxt.source if nxt else post.source,
                                    nxt.title if nxt else (post.topic.title if post.number == 1 else ""),
                                    rev.created_at, rev.editor, rev.reason))
    for before, version in zip(versions, versions[1:], strict=False):
        version.diff = _diff_lines(before.source, version.source)
        if before.title != version.title:
            version.title_changed_from = before.title
    return list(reversed(versions))


def quote_markdown(post):
    """("> @name:", the whole quote block) for a reply that quotes `post`."""
    heading = f"> @{post.author.username}:"
    quoted = "\n".join("> " + line for line in post.source.splitlines())
    return heading, f"{heading}\n{quoted}\n\n"

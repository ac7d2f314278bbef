"""Markdown to safe HTML for user-generated content.

markdown-it-py renders CommonMark (raw HTML disabled, so it is escaped), @mentions become profile
links, and nh3 then sanitises the result with an allow-list: no script, style, event handler or
javascript:/data: URL survives, whatever the input. Links get rel="nofollow ugc noopener".

Images: external http(s) images (hot-linked) are kept as before; a relative image source is kept
only under MEDIA_URL/uploads/ (the composer's uploads, forum.images), so `![](/logout/)` and the
like cannot make readers' browsers request the site's own pages. Every image gets loading="lazy";
the stylesheet caps it at the width of the text (`.prose img`), so none overflows a phone."""

import re
from urllib.parse import unquote

import nh3
from django.conf import settings
from django.urls import reverse
from markdown_it import MarkdownIt
from markdown_it.token import Token

# A username is 3-30 of these characters; a longer run is nobody's name, not its first 30 characters.
MENTION_RE = re.compile(r"(?<![\w@])@([A-Za-z0-9_\-\u4e00-\u9fff]{3,30})(?![A-Za-z0-9_\-\u4e00-\u9fff])")

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "img", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "img": {"src", "alt", "title", "loading"},
    "code": {"class"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def _mention_rule(state):
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children = []
        inside_link = 0
        for tok in block.children:
            if tok.type == "link_open":
                inside_link += 1
            elif tok.type == "link_close":
                inside_link -= 1
            if tok.type != "text" or inside_link or "@" not in tok.content:
                children.append(tok)
                continue
            pos = 0
            for m in MENTION_RE.finditer(tok.content):
                if m.start() > pos:
                    t = Token("text", "", 0)
                    t.content = tok.content[pos:m.start()]
                    children.append(t)
                link = Token("link_open", "a", 1)
                link.attrs = {"href": reverse("forum:member", args=[m.group(1)]), "class": "mention"}
                text = Token("text", "", 0)
                text.content = m.group(0)
                children.extend([link, text, Token("link_close", "a", -1)])
                pos = m.end()
            if pos < len(tok.content):
                t = Token("text", "", 0)
                t.content = tok.content[pos:]
                children.append(t)
        block.children = children


def _lazy_images(state):
    for block in state.tokens:
        for tok in block.children or ():
            if tok.type == "image":
                tok.attrSet("loading", "lazy")


def _build():
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.core.ruler.push("huoli_mentions", _mention_rule)
    md.core.ruler.push("huoli_lazy_images", _lazy_images)
    return md


_md = _build()


def uploads_prefix():
    """Where the composer's uploaded images are served: MEDIA_URL + "uploads/"."""
    return f"{settings.MEDIA_URL.rstrip('/')}/uploads/"


def _attribute_filter(tag, attribute, value):
    if tag == "img" and attribute == "src":
        lowered = value.strip().lower()
        if lowered.startswith(("http://", "https://")):
            return value
        prefix = uploads_prefix()
        if value.startswith(prefix) and ".." not in value and "\\" not in value:
            return value
        return None
    if tag == "img" and attribute == "loading":
        return "lazy"
    return value


def sanitize_html(html):
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow ugc noopener",
        strip_comments=True,
        filter_style_properties={"text-align"},
    )


def render_markdown(source):
    """Render member-written Markdown to HTML that is safe to put on a page."""
    return sanitize_html(_md.render(source or ""))


def extract_mentions(source):
    """Usernames mentioned outside code, in order of first appearance, without duplicates."""
    seen = []
    tokens = _md.parse(source or "")
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        for tok in block.children:
            if tok.type == "link_open" and tok.attrGet("class") == "mention":
                name = tok.attrGet("href").rstrip("/").rsplit("/", 1)[-1]
                name = unquote(name)
                if name not in seen:
                    seen.append(name)
    return seen


def count_links_and_images(source):
    """(links, images) in the rendered source; used by level and spam policies."""
    links = images = 0
    for block in _md.parse(source or ""):
        for tok in block.children or ():
            if tok.type == "link_open" and tok.attrGet("class") != "mention":
                links += 1
            elif tok.type == "image":
                images += 1
    return links, images

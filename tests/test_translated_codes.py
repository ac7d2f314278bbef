"""No internal code and no untranslated English in the Chinese pages of the demo (issue 15).

After seed_demo, every page reachable from the home page (links followed breadth-first, at most two pages of each
URL shape, so every kind of page is seen without reading all of them) is rendered in zh-Hans for a guest, a member
and a moderator, and its visible text (text and the title, aria-label, placeholder and alt attributes, outside
posts' own content) must hold:
- no ledger reason code (engagement.points.labels.REASONS, the rules in the database: reply_created, manual_grant ...),
- no audit verb code (audit.labels and every action in the log: moderation.member_ban ...) and no object type
  code (forum.user),
- no state code of any model's choices (snake_case values such as at_risk),
- no English msgid of the catalogue whose Chinese translation differs (a string rendered before its language was
  set, or never compiled)."""

import importlib.util
import io
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db

SKIP = ("/admin/", "/cms/", "/api/", "/lang/", "/i18n/", "/accounts/logout", "/static/", "/media/", "/feeds/",
        "/documents/", "/ws/", "/pages/_util/")
TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
VISIBLE_ATTRS = ("title", "aria-label", "placeholder", "alt")
MAX_PAGES = 140


class VisibleText(HTMLParser):
    """The text a person reads, outside scripts, styles and member-written content (.prose, .pm-body)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.links, self._stack = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in ("br", "img", "input", "meta", "link", "hr", "source", "wbr"):
            if not self._hidden():
                self.parts += [attrs[a] for a in VISIBLE_ATTRS if attrs.get(a)]
            return
        classes = (attrs.get("class") or "").split()
        ugc = tag in ("script", "style", "textarea", "pre", "code") or bool(
            {"prose", "pm-body", "bio", "excerpt", "feature-note", "editor-note"} & set(classes))
        self._stack.append((tag, ugc))
        if not self._hidden():
            self.parts += [attrs[a] for a in VISIBLE_ATTRS if attrs.get(a)]

    def handle_endtag(self, tag):
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                break

    def _hidden(self):
        return any(ugc for _, ugc in self._stack)

    def handle_data(self, data):
        if not self._hidden():
            self.parts.append(data)


def _codes():
    from audit.labels import choices
    from audit.models import AuditLog
    from engagement.points.labels import REASONS
    from engagement.points.models import PointsRule

    codes = set(REASONS) | set(PointsRule.objects.values_list("code", flat=True))
    codes |= {code for code, _label in choices()} | set(AuditLog.objects.values_list("action", flat=True).distinct())
    for model in apps.get_models():
        codes.add(f"{model._meta.app_label}.{model._meta.model_name}")
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str):
                    codes.add(value)
    # a code a person could mistake for a word is not distinctive: keep the snake_case and dotted ones
    return {c for c in codes if ("_" in c or "." in c) and re.fullmatch(r"[a-z][a-z0-9_.]*", c)}


def _english_msgids():
    spec = importlib.util.spec_from_file_location("check_translations",
                                                  settings.BASE_DIR / "tools" / "check_translations.py")
    check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check)
    _header, entries = check.parse_po(check.DEFAULT_PO)
    phrases = set()
    for entry in entries:
        if not entry.msgid or not entry.msgstr or entry.msgstr == entry.msgid or entry.msgid_plural is not None:
            continue
        for part in re.split(r"%\(\w+\)[sd]|%[sd]|\{\w*\}", entry.msgid):
            part = part.strip(" .:,;()…")
            if len(part) >= 16 and " " in part and re.search(r"[a-z]{3}", part):
                phrases.add(part)
    return phrases


def _shape(path):
    return re.sub(r"\d+", "N", urlsplit(path).path)


def _crawl(client, start):
    seen, shapes, queue, pages = set(), {}, list(start), {}
    while queue and len(pages) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        shape = _shape(path)
        if shapes.get(shape, 0) >= 2:
            continue
        shapes[shape] = shapes.get(shape, 0) + 1
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        parser = VisibleText()
        parser.feed(response.content.decode())
        pages[path] = " ".join(parser.parts)
        for href in parser.links:
            parts = urlsplit(href)
            if parts.netloc or parts.scheme or not parts.path.startswith("/") or parts.path.startswith(SKIP):
                continue
            if parts.query and not parts.query.startswith(("q=", "tab=", "sort=", "period=")):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return pages


@pytest.fixture
def demo(django_capture_on_commit_callbacks, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())


def test_the_chinese_demo_shows_no_internal_code_and_no_english_msgid(demo):
    from forum.models import User

    codes, phrases = _codes(), _english_msgids()
    assert {"reply_created", "upvote_received", "manual_grant"} <= codes
    assert len(phrases) > 200
    member = User.objects.get(username="wang_fang")
    moderator = User.objects.get(username="mod_lin")
    roles = {"guest": None, "member": member, "moderator": moderator}
    start = {
        "guest": ["/", "/latest/", "/leaderboard/", "/badges/", "/events/", "/featured/", "/shop/", "/search/?q=社区",
                  "/pages/"],
        "member": ["/", "/checkin/", "/me/points/", f"/u/{member.username}/", f"/u/{member.username}/points/",
                   "/notifications/", "/tasks/", "/messages/", "/feed/", "/bookmarks/", "/new/", "/settings/profile/"],
        "moderator": ["/", "/mod/", "/mod/audit/", "/kol/", "/lifecycle/", f"/u/{member.username}/points/",
                      f"/mod/u/{member.username}/", "/messages/reports/", "/notifications/", "/me/points/"],
    }
    found = {}
    counts = {}
    for role, user in roles.items():
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
        if user is not None:
            client.force_login(user)
        pages = _crawl(client, start[role])
        counts[role] = len(pages)
        for path, text in pages.items():
            leaked = sorted({t for t in TOKEN.findall(text) if t in codes})
            english = sorted(p for p in phrases if p in text)
            if leaked or english:
                found[f"{role} {path}"] = leaked + english
    assert counts["guest"] >= 15 and counts["member"] >= 25 and counts["moderator"] >= 25, counts
    assert found == {}

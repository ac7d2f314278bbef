"""Every page fits a 360 px phone, for every role, with no console error and no CSP violation; axe-core finds no
violation on the main pages, in light and dark (issue 15).

The crawl visits, as a guest, a member, an editor and a moderator at 360x740, every link of the header (main
navigation, Community menu, avatar menu with the staff links) and of the footer, plus the main pages of each app
(a topic whose opening post has a long code block, a wide table and a long link; new topic; profile; leaderboards;
check-in; badges; points; shop; tasks; search; notifications; messages; the /mod/ pages, the audit log, the KOL and
lifecycle queues) and asserts for each that `document.documentElement.scrollWidth <= innerWidth`. Screenshots of
each role's main pages at 360x740 and 1280x900 go to artifacts/15-<role>-<page>-<width>.png.

axe-core is vendored from npm (static/vendor/axe-core/axe.min.js, its LICENSE next to it) and loaded from the site
itself, so the strict CSP allows it."""

import os
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client

from tests.browser import chromium_missing_reason, run_commit_hooks
from tests.ui.site import build_site

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(serialized_rollback=True),
    pytest.mark.skipif(chromium_missing_reason() is not None, reason=chromium_missing_reason() or ""),
]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
SKIP_PREFIXES = ("/lang/", "/admin/", "/cms/", "/api/", "/accounts/logout", "/static/", "/media/", "/feeds/",
                 "/documents/")
WATCH_CSP = """document.addEventListener('securitypolicyviolation', function (e) {
  (window.__cspViolations = window.__cspViolations || []).push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'));
});"""


def _context(browser, contexts, base_url, viewport, user, scheme="light"):
    context = browser.new_context(base_url=base_url, viewport=viewport, locale="zh-CN", color_scheme=scheme)
    if user is not None:
        client = Client()
        client.force_login(user)
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                              "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": base_url}])
    context.add_init_script(WATCH_CSP)
    context.set_default_timeout(15000)
    contexts.append(context)
    return context


class Watcher:
    """Console errors, uncaught exceptions and failed responses of one page."""

    def __init__(self, page):
        self.problems = []
        page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.problems.append(f"exception: {e}"))
        page.on("response", lambda r: self.problems.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)

    def take(self):
        problems, self.problems = self.problems, []
        return problems


def _visit(page, watcher, path):
    response = page.goto(path)
    try:
        page.wait_for_load_state("networkidle", timeout=5000)
    except Exception:  # noqa: BLE001 - a page with a long poll still counts; its width is what we measure
        page.wait_for_load_state("load")
    problems = watcher.take()
    if response is None or response.status >= 400:
        problems.append(f"status {response.status if response else 'none'}")
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if width > inner:
        wide = page.evaluate("""(inner) => Array.from(document.querySelectorAll('body *'))
            .filter(el => el.getBoundingClientRect().right > inner + 1)
            .slice(0, 3).map(el => el.tagName.toLowerCase() + '.' + el.className)""", inner)
        problems.append(f"{width} px wide in a {inner} px window: {wide}")
    problems += [f"CSP: {v}" for v in page.evaluate("window.__cspViolations || []")]
    return problems


def _links(page, base_url):
    hrefs = page.evaluate("""() => Array.from(document.querySelectorAll(
        'header a[href], footer a[href], .site-nav a[href], .menu-panel a[href]')).map(a => a.href)""")
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != base_url or parts.path.startswith(SKIP_PREFIXES):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path not in found:
            found.append(path)
    return found


def _pages(site, role):
    topic, member = site["topic"], site["member"]
    main = {"home": "/", "topic": topic.get_absolute_url(), "profile": f"/u/{member.username}/",
            "leaderboard": "/leaderboard/", "badges": "/badges/", "search": "/search/?q=社区"}
    more = ["/latest/", site["category"].get_absolute_url(), "/featured/", "/events/", "/shop/", "/pages/"]
    if role != "guest":
        main.update({"new-topic": "/new/", "checkin": "/checkin/", "notifications": "/notifications/",
                     "points": "/me/points/"})
        more += ["/tasks/", "/messages/", "/feed/", "/bookmarks/", "/settings/profile/", f"/u/{member.username}/points/",
                 f"/u/{member.username}/badges/"]
    if role == "moderator":
        main.update({"mod-queue": "/mod/", "audit": "/mod/audit/"})
        more += ["/kol/", "/lifecycle/", f"/mod/u/{member.username}/", "/messages/reports/"]
    return main, more


ROLES = ["guest", "member", "editor", "moderator"]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_a_phone_for_every_role(live_asgi, contexts, browser, artifacts_dir, role):
    site = build_site()
    live_asgi.run_sync(run_commit_hooks)
    user = None if role == "guest" else site[role]
    main, more = _pages(site, role)

    page = _context(browser, contexts, live_asgi.url, PHONE, user).new_page()
    watcher = Watcher(page)
    problems = {}
    seen = []
    queue = list(main.values()) + more
    page.goto("/")
    queue += _links(page, live_asgi.url)
    watcher.take()
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.append(path)
        found = _visit(page, watcher, path)
        if found:
            problems[path] = found
        for name, main_path in main.items():
            if main_path == path:
                page.screenshot(path=os.path.join(artifacts_dir, f"15-{role}-{name}-360.png"), full_page=False)
    assert len(seen) >= 12, seen

    # the phone menu: a button that opens the navigation panel, by keyboard too
    page.goto("/")
    toggle = page.locator("[data-nav-toggle]")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert not page.locator("#site-nav").is_visible()
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true" and page.locator("#site-nav").is_visible()
    page.screenshot(path=os.path.join(artifacts_dir, f"15-{role}-menu-360.png"))
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    if user is not None:
        page.locator(".user-menu > summary").click()
        assert page.locator(".user-menu .menu-panel").is_visible()
        page.screenshot(path=os.path.join(artifacts_dir, f"15-{role}-avatar-menu-360.png"))
        staff_links = page.locator(".user-menu a[href='/mod/']").count()
        assert staff_links == (1 if role == "moderator" else 0)
        assert page.locator(".user-menu a[href='/cms/']").count() == (1 if role == "editor" else 0)
    assert _visit(page, watcher, "/") == []
    if role == "editor":  # the 精华 form folds behind its button, and opened it still fits
        page.goto(site["topic"].get_absolute_url())
        fold = page.locator(".feature-fold").first
        assert fold.is_visible() and not fold.locator("form").is_visible()
        fold.locator("summary").click()
        assert fold.locator("input[name=note]").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        page.screenshot(path=os.path.join(artifacts_dir, "15-editor-feature-form-360.png"))

    desktop = _context(browser, contexts, live_asgi.url, DESKTOP, user).new_page()
    desktop_watcher = Watcher(desktop)
    for name, path in main.items():
        found = _visit(desktop, desktop_watcher, path)
        if found:
            problems[f"{path} (desktop)"] = found
        desktop.screenshot(path=os.path.join(artifacts_dir, f"15-{role}-{name}-1280.png"), full_page=False)
    assert problems == {}


AXE_PAGES = ["home", "topic", "new-topic", "profile", "leaderboard", "checkin", "search", "notifications"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_on_the_main_pages(live_asgi, contexts, browser, artifacts_dir, scheme):
    site = build_site()
    live_asgi.run_sync(run_commit_hooks)
    main, _more = _pages(site, "member")
    results = {}
    for viewport in (PHONE, DESKTOP):
        page = _context(browser, contexts, live_asgi.url, viewport, site["member"], scheme).new_page()
        for name in AXE_PAGES:
            page.goto(main[name])
            page.wait_for_load_state("load")
            page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")
            violations = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
                .violations.map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' '
                  + ((n.any[0] || n.all[0] || {}).message || '')).join(' | '))""")
            if violations:
                results[f"{name} {viewport['width']}"] = violations
            if viewport is PHONE:
                page.screenshot(path=os.path.join(artifacts_dir, f"15-member-{name}-360-{scheme}.png"))
    assert results == {}

"""Playwright with Debian's Chromium (no `playwright install`): shared launch settings for the
browser tests. Browsers are scoped per module (a session-scoped sync_playwright breaks later
pytest-asyncio tests, see STACK-NOTES)."""

import os

CHROMIUM = os.environ.get("HUOLI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def chromium_missing_reason():
    if not os.path.exists(CHROMIUM):
        return f"needs Debian's chromium at {CHROMIUM}: apt-get install chromium fonts-wqy-microhei"
    return None

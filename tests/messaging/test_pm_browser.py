"""Private messages and email settings in Debian's Chromium, at a phone's width (360 px) and a
desktop's (1280 px), served by the real ASGI stack (uvicorn in a thread, config.asgi, the configured
channel layer: Redis when REDIS_URL is set), on the test's own transaction (tests/browser.py):

1. A writes to B from B's page (its "Send a private message" button); B's header count goes to 1 live; B opens the
   conversation, A writes again and B sees it appear without a reload; B replies and A sees it live.
2. B blocks A from the conversation page; A's next message and a new conversation are refused in
   Chinese, and nothing reaches B.
3. A changes how replies are mailed (daily summary), saves, and the choice survives a reload; C then
   writes to A, the mail goes through the project's sending task into a real SMTP server on
   loopback (aiosmtpd), and the link in its List-Unsubscribe header, opened in a signed-out browser,
   turns private-message mails off with one click.

Every page visited must not scroll sideways (document.scrollingElement.scrollWidth <= innerWidth); the
forms' pages have a language, a name for every control and unique ids (the project has no axe-core).
Screenshots: artifacts/pm-<width>-*.png.

    DJANGO_ALLOW_ASYNC_UNSAFE=true HUOLI_TESTING=true .venv/bin/python -m pytest -m browser \\
      tests/messaging/test_pm_browser.py -q -p no:randomly
"""

import os
import re

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.test import Client

from engagement.levels.models import MemberLevel
from tests.browser import chromium_missing_reason, run_commit_hooks
from tests.factories import UserFactory
from tests.mailings.conftest import Inbox, free_port, parts

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(serialized_rollback=True),
    pytest.mark.skipif(chromium_missing_reason() is not None, reason=chromium_missing_reason() or ""),
]

WIDTHS = {"phone": {"width": 360, "height": 780}, "desktop": {"width": 1280, "height": 900}}
LIVE = 10000  # ms a live update may take


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback that keeps what it receives."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield inbox
    controller.stop()


def levelled(username, display_name, level=3):
    user = UserFactory(username=username, display_name=display_name)
    MemberLevel.objects.create(member=user, level_number=level)
    return user


def context_for(contexts, browser, base_url, viewport, user=None):
    context = browser.new_context(base_url=base_url, viewport=viewport, locale="zh-CN")
    if user is not None:
        client = Client()
        client.force_login(user)
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                              "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": base_url}])
    context.set_default_timeout(LIVE)
    contexts.append(context)
    return context


def assert_fits(page, what):
    """Nothing on the page makes it scroll sideways."""
    width, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{what}: the page is {width} px wide in a {inner} px window"


UNNAMED_CONTROLS = """() => Array.from(document.querySelectorAll(
    'input:not([type=hidden]), select, textarea, button, a[href]'))
  .filter(el => el.getClientRects().length > 0)
  .filter(el => !((el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')
                  || (el.textContent || '').trim() || el.getAttribute('title')))
  .map(el => el.outerHTML.slice(0, 160))"""
DUPLICATE_IDS = """() => { const seen = {}; document.querySelectorAll('[id]').forEach(el => { seen[el.id] = (seen[el.id] || 0) + 1; });
  return Object.keys(seen).filter(id => seen[id] > 1); }"""


def assert_accessible(page, what):
    """What a screen reader needs here (no axe-core in this project): a language, a name for every
    control, unique ids (labels point at them), one h1."""
    assert page.evaluate("document.documentElement.lang") == "zh-Hans", what
    assert page.evaluate(UNNAMED_CONTROLS) == [], what
    assert page.evaluate(DUPLICATE_IDS) == [], what
    assert page.locator("h1").count() == 1, what


def shot(page, artifacts_dir, width, name):
    page.screenshot(path=os.path.join(artifacts_dir, f"pm-{width}-{name}.png"), full_page=True)


@pytest.mark.parametrize("screen", list(WIDTHS), ids=list(WIDTHS))
def test_two_members_talk_live_block_and_a_mail_is_unsubscribed_in_one_click(
        live_asgi, contexts, browser, smtp, artifacts_dir, settings, screen):
    from playwright.sync_api import expect

    from mailings import tasks as mail_tasks
    from mailings.models import Frequency, Kind, MailPreference
    from messaging import services as pm
    from messaging.models import Message

    viewport = WIDTHS[screen]
    width = viewport["width"]
    settings.SITE_URL = live_asgi.url  # the links in mail point at this server
    a = levelled("alice", "爱丽丝")
    b = levelled("bob", "鲍勃")
    c = levelled("carol", "卡罗尔")
    live_asgi.run_sync(run_commit_hooks)  # the setup's on-commit effects, as its commit would run them

    page_a = context_for(contexts, browser, live_asgi.url, viewport, a).new_page()
    page_b = context_for(contexts, browser, live_asgi.url, viewport, b).new_page()
    badge_b = page_b.locator("[data-pm-nav] .badge")

    # --- 1. A writes to B; B's header count goes up live ---------------------------------------
    page_b.goto("/messages/")
    expect(page_b.get_by_text("还没有对话", exact=False)).to_be_visible()
    page_b.locator(".user-menu > summary").click()  # the avatar menu holds the Messages item
    expect(page_b.locator("[data-pm-nav]")).to_be_visible()  # the header item, filled in by htmx
    expect(badge_b).to_be_hidden()
    page_b.evaluate("window.__notReloaded = true")
    assert_fits(page_b, "inbox")

    page_a.goto(b.get_absolute_url())  # B's page: "Send a private message"
    assert_fits(page_a, "B's profile")
    page_a.get_by_role("link", name="发私信").click()
    page_a.wait_for_url(re.compile(r"/messages/new/\?to=bob$"))
    expect(page_a.get_by_label("收件人")).to_have_value("bob")
    page_a.get_by_label("主题（可选）").fill("周末的线下活动")
    page_a.get_by_label("内容", exact=True).fill("你好鲍勃，周六的活动你来吗？")
    assert_fits(page_a, "new conversation")
    assert_accessible(page_a, "new conversation")
    shot(page_a, artifacts_dir, width, "new")
    page_a.get_by_role("button", name="发送").click()
    page_a.wait_for_url(re.compile(r"/messages/c/\d+/$"))
    expect(page_a.get_by_role("heading", name="周末的线下活动")).to_be_visible()
    expect(page_a.locator(".pm-message", has_text="你好鲍勃，周六的活动你来吗？")).to_be_visible()
    conversation_url = page_a.url

    expect(badge_b).to_be_visible(timeout=LIVE)
    expect(badge_b.locator("[data-pm-unread]")).to_have_text("1")
    assert page_b.evaluate("window.__notReloaded") is True

    # B follows the header item to the inbox and opens the conversation: read, so the count goes away
    page_b.locator("[data-pm-nav]").click()
    page_b.wait_for_url(re.compile(r"/messages/$"))
    expect(page_b.locator("#pm-inbox li.is-unread")).to_contain_text("1")
    page_b.locator("#pm-inbox a", has_text="周末的线下活动").click()
    page_b.wait_for_url(conversation_url)
    expect(page_b.locator(".pm-message", has_text="你好鲍勃，周六的活动你来吗？")).to_be_visible()
    expect(page_b.locator("[data-pm-conversation]")).to_have_attribute("data-pm-live", "open", timeout=LIVE)
    expect(page_a.locator("[data-pm-conversation]")).to_have_attribute("data-pm-live", "open", timeout=LIVE)
    expect(badge_b).to_be_hidden()
    page_b.evaluate("window.__notReloaded = true")
    page_a.evaluate("window.__notReloaded = true")

    # A writes again (from one tab, with the conversation open in another): B sees it without reloading
    page_a2 = page_a.context.new_page()
    page_a2.goto(conversation_url)
    expect(page_a2.locator("[data-pm-conversation]")).to_have_attribute("data-pm-live", "open", timeout=LIVE)
    page_a.get_by_label("回复").fill("我带上相机，**不见不散**")
    page_a.get_by_role("button", name="发送").click()
    page_a.wait_for_load_state()
    live_message = page_b.locator(".pm-message", has_text="我带上相机，不见不散")
    expect(live_message).to_be_visible(timeout=LIVE)
    expect(live_message.locator("strong", has_text="不见不散")).to_be_visible()  # Markdown, rendered
    assert page_b.evaluate("window.__notReloaded") is True
    expect(badge_b).to_be_hidden()  # read as it arrived (pm.js marks the open conversation read)
    own_live = page_a2.locator(".pm-message", has_text="我带上相机，不见不散")
    expect(own_live).to_be_visible(timeout=LIVE)  # A's other tab, live too: without "Report" on A's own message
    expect(own_live.get_by_role("link", name="引用")).to_be_visible()
    expect(own_live.get_by_role("link", name="举报")).to_have_count(0)
    page_a2.close()

    # B replies: A sees it without reloading
    page_a.evaluate("window.__notReloaded = true")
    page_b.get_by_label("回复").fill("好的，周六见！")
    page_b.get_by_role("button", name="发送").click()
    page_b.wait_for_load_state()
    expect(page_a.locator(".pm-message", has_text="好的，周六见！")).to_be_visible(timeout=LIVE)
    assert page_a.evaluate("window.__notReloaded") is True
    # each reader may report the other's messages, not their own (live or not)
    for page, own, other in ((page_a, "不见不散", "周六见"), (page_b, "周六见", "不见不散")):
        expect(page.locator(".pm-message", has_text=own).get_by_role("link", name="举报")).to_have_count(0)
        expect(page.locator(".pm-message", has_text=other).get_by_role("link", name="举报")).to_be_visible()
    for page, who in ((page_a, "A's conversation"), (page_b, "B's conversation")):
        assert_fits(page, who)
        assert_accessible(page, who)
    # new messages are announced to screen readers as they arrive
    expect(page_b.locator("[data-pm-messages]")).to_have_attribute("aria-live", "polite")
    shot(page_a, artifacts_dir, width, "conversation")
    shot(page_b, artifacts_dir, width, "conversation-b")

    # --- 2. B blocks A; A is refused, in Chinese, and nothing reaches B ---------------------------
    page_b.get_by_role("button", name="屏蔽 爱丽丝").click()
    page_b.wait_for_url(conversation_url)
    expect(page_b.get_by_text("你将不会再看到 爱丽丝 的消息。")).to_be_visible()
    page_b.evaluate("window.__notReloaded = true")
    delivered = Message.objects.filter(conversation__participants__member=b).count()

    page_a.goto(conversation_url)
    page_a.get_by_label("回复").fill("为什么屏蔽我？")
    page_a.get_by_role("button", name="发送").click()
    expect(page_a.get_by_role("status").get_by_text("这位成员不接收你的私信。")).to_be_visible()
    expect(page_a.get_by_label("回复")).to_have_value("为什么屏蔽我？")  # what A wrote is not lost
    assert_fits(page_a, "the refusal")
    shot(page_a, artifacts_dir, width, "refused")

    page_a.goto("/messages/new/?to=bob")
    page_a.get_by_label("内容", exact=True).fill("换个对话再试一次")
    page_a.get_by_role("button", name="发送").click()
    expect(page_a.get_by_text("你填写的成员中有人不接收你的私信。")).to_be_visible()
    expect(page_a.get_by_label("内容", exact=True)).to_have_value("换个对话再试一次")  # kept, not lost

    page_b.wait_for_timeout(1000)  # time enough for a live message that should not come
    assert page_b.locator(".pm-message", has_text="为什么屏蔽我").count() == 0
    assert page_b.locator(".pm-message", has_text="换个对话再试一次").count() == 0
    assert page_b.evaluate("window.__notReloaded") is True
    assert Message.objects.filter(conversation__participants__member=b).count() == delivered
    page_b.goto("/messages/blocks/")
    expect(page_b.locator("#pm-blocks")).to_contain_text("爱丽丝")
    assert_fits(page_b, "blocked members")

    # --- 3. A's email settings, then a real mail and its one-click unsubscribe --------------------
    page_a.goto("/me/email/")
    replies = page_a.get_by_label("我关注的话题有新回复")
    expect(replies).to_have_value("daily")  # the default
    replies.select_option(label="每日摘要")  # same as the default: choose something else
    replies.select_option(label="从不")
    page_a.get_by_role("button", name="保存").click()
    page_a.wait_for_url(re.compile(r"/me/email/$"))
    expect(page_a.get_by_text("邮件设置已保存。")).to_be_visible()
    page_a.reload()
    expect(page_a.get_by_label("我关注的话题有新回复")).to_have_value(Frequency.NEVER)
    expect(page_a.get_by_label("私信", exact=True)).to_have_value(Frequency.IMMEDIATELY)
    assert_fits(page_a, "email settings")
    assert_accessible(page_a, "email settings")
    shot(page_a, artifacts_dir, width, "email-settings")
    assert MailPreference.objects.get(member=a, kind=Kind.REPLY).frequency == Frequency.NEVER

    settings.HUOLI = {**settings.HUOLI, "MAIL_IMMEDIATE_DELAY": 0}

    def carol_writes_and_mail_goes_out():
        pm.conversation_start(actor=c, recipients=["alice"], subject="摄影小组", body="爱丽丝，欢迎加入摄影小组！")
        run_commit_hooks()  # the outbox relay records the mail item
        return mail_tasks.mail_send_due.apply().get()

    report = live_asgi.run_sync(carol_writes_and_mail_goes_out)
    assert report["sent"] >= 1, report
    mails = smtp.to(a.email)
    assert len(mails) == 1, [m["Subject"] for m in mails]
    mail = mails[0]
    assert "卡罗尔" in mail["Subject"]
    text, html = parts(mail)
    assert "爱丽丝，欢迎加入摄影小组！" in text and "爱丽丝，欢迎加入摄影小组！" in html
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = re.search(r"<(http://[^>]+/mail/unsubscribe/[^/>]+/)>", mail["List-Unsubscribe"]).group(1)
    assert link.startswith(live_asgi.url) and link in text

    stranger = context_for(contexts, browser, live_asgi.url, viewport).new_page()  # signed out
    stranger.goto(link)
    expect(stranger.get_by_text("不再通过邮件给我发送：私信。")).to_be_visible()
    assert_fits(stranger, "unsubscribe")
    assert_accessible(stranger, "unsubscribe")
    # opening the link changes nothing (a mail scanner following links must not unsubscribe anyone)
    assert MailPreference.objects.get(member=a, kind=Kind.PRIVATE_MESSAGE).frequency == Frequency.IMMEDIATELY
    stranger.get_by_role("button", name="退订").click()
    expect(stranger.get_by_text("完成：你不会再通过邮件收到私信。")).to_be_visible()
    assert_fits(stranger, "unsubscribed")
    shot(stranger, artifacts_dir, width, "unsubscribed")
    assert MailPreference.objects.get(member=a, kind=Kind.PRIVATE_MESSAGE).frequency == Frequency.NEVER
    assert MailPreference.objects.get(member=a, kind=Kind.REPLY).frequency == Frequency.NEVER  # untouched

    page_a.reload()
    expect(page_a.get_by_label("私信", exact=True)).to_have_value(Frequency.NEVER)

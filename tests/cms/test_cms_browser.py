"""An editor builds a collection in the Wagtail admin (a topic card chosen through the searchable
chooser, an editor's note, rich text), publishes it, and a member sees it on the landing page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/huoli_cms DJANGO_ALLOW_ASYNC_UNSAFE=true \\
      .venv/bin/python -m pytest tests/cms/test_cms_browser.py -m browser
Run it as its own pytest invocation (Playwright's sync API and pytest-asyncio do not share a loop).
Screenshots go to artifacts/."""

import os

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client

from tests.factories import TopicFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def site_tree(db):
    """The rows the migrations made (root page, HomePage, Site, groups, the Editors' page permissions
    and workflow). A transaction=True test flushes the database when it ends, and with --reuse-db the
    serialized copy can be empty: rebuild them with the migrations' own functions when missing."""
    import importlib

    from django.apps import apps

    from cms.models import HomePage

    if HomePage.objects.exists() and Group.objects.filter(name="Editors").exists():
        return
    from wagtail.models import Locale, Page

    if not Locale.objects.exists():
        Locale.objects.create(language_code="zh-hans")
    if not Page.objects.filter(depth=1).exists():
        Page.add_root(instance=Page(title="Root", slug="root", locale=Locale.objects.first()))
    steps = [("forum.migrations.0002_groups", "create_groups"),
             ("wagtail.admin.migrations.0001_create_admin_access_permissions", "create_admin_access_permissions"),
             ("cms.migrations.0002_home_page", "create_home"),
             ("cms.migrations.0004_editors_permissions_workflow", "forwards")]
    for module, name in steps:
        getattr(importlib.import_module(module), name)(apps, None)


def _context_for(browser, base_url, user, **kwargs):
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=base_url, **kwargs)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": base_url}])
    return context


def test_editor_publishes_a_collection_and_a_member_sees_it(site_tree, browser, live_server, artifacts_dir):
    from playwright.sync_api import expect

    from cms.models import CollectionPage, HomePage
    from cms.services import sections_ensure

    _home, collections, _digests = sections_ensure()
    editor = UserFactory(username="chief_editor")
    editor.groups.add(Group.objects.get(name="Editors"))
    member = UserFactory(username="reader")
    topic = TopicFactory.create(title="怎样写出一个好问题 good-question", body="先搜索，再提问。")
    TopicFactory.create(title="今天天气不错 weather")

    page = _context_for(browser, live_server.url, editor, viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(20000)
    page.goto(f"/cms/pages/add/cms/collectionpage/{collections.pk}/")
    page.locator("#id_title").fill("提问的艺术 Asking well")
    page.locator("#id_intro").fill("编辑挑选的提问指南")

    # StreamField: add a topic card, choose the topic through the searchable chooser
    page.locator("[data-streamfield-stream-container] button[title='Insert a block'], "
                 "#panel-child-content-body-content button.c-sf-add-button").first.click()
    page.get_by_role("option", name="Topic card").click()
    page.get_by_role("button", name="Choose a topic").click()
    modal = page.locator(".modal-content")
    modal.get_by_placeholder("Search").fill("good-question")
    expect(modal.get_by_role("link", name=topic.title)).to_be_visible()
    expect(modal.get_by_role("link", name="今天天气不错 weather")).to_have_count(0)
    modal.get_by_role("link", name=topic.title).click()
    expect(page.locator("[data-chooser-title]", has_text=topic.title)).to_be_visible()
    page.locator("textarea[name$='-value-note']").first.fill("新人必读：提问之前先读这篇")
    page.screenshot(path=os.path.join(artifacts_dir, "cms-collection-editor.png"), full_page=True)

    # publish (the "Publish" action sits in the footer's dropdown, next to "Save draft")
    page.locator("footer .w-dropdown__toggle, footer [data-w-dropdown-target='toggle']").first.click()
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messages")).to_contain_text("published", ignore_case=True)

    collection = CollectionPage.objects.get(title="提问的艺术 Asking well")
    assert collection.live and collection.get_parent().pk == collections.pk
    assert collection.body[0].value["topic"].pk == topic.pk

    reader = _context_for(browser, live_server.url, member, viewport={"width": 375, "height": 800}).new_page()
    reader.goto(HomePage.objects.get().url)
    link = reader.get_by_role("link", name="提问的艺术 Asking well")
    expect(link).to_be_visible()
    reader.screenshot(path=os.path.join(artifacts_dir, "cms-home-member.png"), full_page=True)
    link.click()
    expect(reader.locator(".topic-card")).to_contain_text("good-question")
    expect(reader.locator(".topic-card")).to_contain_text("新人必读：提问之前先读这篇")
    reader.screenshot(path=os.path.join(artifacts_dir, "cms-collection-member.png"), full_page=True)

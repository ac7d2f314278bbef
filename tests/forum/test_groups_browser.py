"""In a real browser, at 360 px and on the desktop: a member applies to a sub-group, the deputy reviews the
applicant's content and approves, the member posts, qualifies, is proposed and promoted into the main group
by its owner in one click; the deputy kicks an advertiser; a weekly session opens its topic.
Screenshots: artifacts/browser/groups-<width>-*.png."""

import os
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from engagement.ladder.models import PromotionRule
from engagement.ladder.services import ladder_evaluate
from engagement.levels.models import MemberLevel
from forum import services
from forum.groups import rhythm
from forum.groups.models import GroupEvent, Membership
from forum.models import Post
from tests.factories import CategoryFactory, TopicFactory, UserFactory, add_member, make_group

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _page(browser, contexts, live_server, width, user):
    context = browser.new_context(viewport={"width": width, "height": 740 if width == 360 else 900}, locale="en-US")
    contexts.append(context)
    client = Client()
    client.force_login(user)
    context.add_cookies([
        {"name": "django_language", "value": "en", "url": live_server.url},
        {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
         "url": live_server.url},
    ])
    return context.new_page()


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"


@pytest.mark.parametrize("width", [360, 1280])
def test_apply_review_post_promote_kick_and_a_weekly_session(browser, contexts, live_server, artifacts_dir, width):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    folder = os.path.join(artifacts_dir, "browser")
    os.makedirs(folder, exist_ok=True)
    shot = lambda page, name: page.screenshot(path=os.path.join(folder, f"groups-{width}-{name}.png"),  # noqa: E731
                                              full_page=True)
    staff = UserFactory(is_staff=True, username="staff")
    owner = UserFactory(username="owner")
    main = make_group(name="Core group", slug="core", owner=owner, staff=staff, visibility="members",
                      admission="invitation", questions=())
    sub = make_group(name="Starter camp", slug="camp", owner=owner, staff=staff, parent=main, visibility="members",
                     questions=("What community do you run?",))
    PromotionRule.objects.create(group=sub, min_days=0, min_featured_posts=3, min_level=4, clean_days=90)
    deputy = add_member(sub, UserFactory(username="deputy"), role="deputy")
    member = UserFactory(username="newcomer")
    MemberLevel.objects.create(member=member, level_number=4)
    elsewhere = CategoryFactory(name="Operations", slug="ops")
    for i in range(2):
        topic = TopicFactory.create(author=member, category=elsewhere, title=f"My retention playbook part {i}")
        services.post_feature(actor=staff, post=topic.posts.get(number=1), featured=True)

    # the member applies
    page = _page(browser, contexts, live_server, width, member)
    page.goto(f"{live_server.url}/groups/")
    _fits(page, width)
    page.get_by_role("link", name="Starter camp").click()
    page.get_by_role("link", name="Apply to join").click()
    page.get_by_label("What community do you run?").fill("A 3000-member developer community")
    page.get_by_role("button", name="Send the application").click()
    page.wait_for_selector("text=Your application is waiting for review")
    _fits(page, width)
    shot(page, "1-applied")

    # the deputy reviews the applicant's content on one screen and approves
    dpage = _page(browser, contexts, live_server, width, deputy)
    dpage.goto(f"{live_server.url}/groups/camp/applications/")
    dpage.get_by_role("link", name=member.name, exact=True).click()
    assert "My retention playbook part 1" in dpage.locator("main").inner_text()
    assert "A 3000-member developer community" in dpage.locator("main").inner_text()
    _fits(dpage, width)
    shot(dpage, "2-review")
    dpage.get_by_label("Reason (the applicant sees it; required to reject)").fill("Solid work, welcome")
    dpage.get_by_role("button", name="Approve").click()
    dpage.wait_for_selector("text=The application is approved.")
    assert Membership.objects.filter(group=sub, member=member).exists()

    # the member posts in the sub-group; an editor features it: the member now qualifies
    page.goto(f"{live_server.url}/groups/camp/")
    page.locator("main").get_by_role("link", name="New topic").first.click()
    page.get_by_label("Title").fill("Welcome post template that doubled our retention")
    page.get_by_label("Body").fill("Three things every newcomer should do in week one.")
    page.get_by_role("button", name="Post the topic").click()
    page.wait_for_selector("h1:has-text('Welcome post template')")
    post = Post.objects.get(topic__title__startswith="Welcome post template", number=1)
    services.post_feature(actor=staff, post=post, featured=True)
    assert ladder_evaluate() == {main.pk: 1}

    # the main group's owner promotes with one click
    opage = _page(browser, contexts, live_server, width, owner)
    opage.goto(f"{live_server.url}/groups/core/promotions/")
    assert member.name in opage.locator("main").inner_text()
    _fits(opage, width)
    shot(opage, "3-candidates")
    opage.get_by_role("button", name="Promote").click()
    opage.wait_for_selector("text=is promoted into Core group")
    assert Membership.objects.get(group=main, member=member).via == "promotion"

    # the deputy kicks an advertiser
    spammer = add_member(sub, UserFactory(username="spammer", display_name="Spammer"))
    TopicFactory.create(author=spammer, category=sub.category, title="Add my WeChat for free courses")
    dpage.goto(f"{live_server.url}/groups/camp/members/")
    row = dpage.locator("li", has_text="@spammer")
    row.get_by_placeholder("reason").fill("Advertising")
    row.get_by_role("button", name="Kick advertiser").click()
    dpage.wait_for_selector("text=is kicked as an advertiser")
    _fits(dpage, width)
    shot(dpage, "4-kicked")
    assert not Membership.objects.filter(group=sub, member=spammer).exists()
    assert not Post.objects.filter(author=spammer, is_hidden=False).exists()

    # a weekly session: the owner sets it up, the beat task opens its topic
    opage.goto(f"{live_server.url}/groups/camp/events/")
    opage.get_by_label("Title").fill("Tuesday knowledge share")
    opage.get_by_label("The session topic's text").fill("This week: event post-mortems. Sign up to speak.")
    opage.get_by_role("button", name="Save").click()
    opage.wait_for_selector("text=The recurring event is saved")
    event = GroupEvent.objects.get(title="Tuesday knowledge share")
    start = rhythm.next_start(event, timezone.now())
    assert rhythm.group_events_run(now=start - timedelta(hours=1))["opened"] == 1
    opage.reload()
    assert opage.locator("a", has_text="Tuesday knowledge share ·").count() == 1
    _fits(opage, width)
    shot(opage, "5-session")

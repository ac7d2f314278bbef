"""In a real browser, at 360 px and on the desktop: a member asks a question with a bounty from the
new-topic form, another member answers, the asker accepts the answer with one click, and the
answerer's points page shows the bounty in the balance and the ledger (as words, not a code). An
operator reads the economy page, whose charts fit the screen. Screenshots go to
artifacts/browser/bounty-<width>-*.png."""

import os

import pytest

from engagement.bounties.models import Bounty
from engagement.points import services as points
from engagement.points.models import PointsAccount
from forum.models import Topic
from tests.browser import chromium_missing_reason
from tests.engagement.activities import english  # noqa: F401  (autouse)
from tests.engagement.test_tasks_browser import fits, new_page
from tests.factories import CategoryFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(chromium_missing_reason() is not None, reason=chromium_missing_reason() or ""),
]


def shot(page, artifacts_dir, width, name):
    folder = os.path.join(artifacts_dir, "browser")
    os.makedirs(folder, exist_ok=True)
    page.screenshot(path=os.path.join(folder, f"bounty-{width}-{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [360, 1280])
def test_a_bounty_is_offered_answered_accepted_and_paid(browser, live_server, artifacts_dir, settings, width):  # noqa: F811
    settings.HUOLI = {**settings.HUOLI, "RATE_LIMITS": {}}
    category = CategoryFactory(name="Tech Q&A", slug="tech")
    asker, answerer = UserFactory(username=f"asker{width}"), UserFactory(username=f"helper{width}")
    staff = UserFactory(username=f"operator{width}", is_staff=True, is_superuser=True)
    points.points_adjust(actor=staff, member=asker, amount=200, reason="demo funds", key=f"fund-{width}")

    page = new_page(browser, live_server, width, asker)
    page.goto(f"{live_server.url}/new/")
    page.select_option("#id_category", str(category.pk))
    page.fill("#id_title", "Static files 404 after deploying")
    page.fill("#id_body", "runserver is fine, nginx serves 404 for every CSS file. Ideas?")
    page.locator("details.bounty-form-section summary").click()
    page.get_by_label("Bounty (points)").fill("80")
    shot(page, artifacts_dir, width, "01-new-topic-with-bounty")
    page.get_by_role("button", name="Publish topic").click()
    page.wait_for_load_state()
    topic = Topic.objects.get(title="Static files 404 after deploying")
    assert page.get_by_role("heading", name="Bounty: 80 points").is_visible()
    assert PointsAccount.objects.get(member=asker).balance == 200 - 80 + _topic_points(asker)
    fits(page, width)

    other = new_page(browser, live_server, width, answerer)
    other.goto(f"{live_server.url}{topic.get_absolute_url()}")
    other.locator("#reply textarea").fill("Check that nginx's location /static/ points at STATIC_ROOT.")
    other.get_by_role("button", name="Post reply").click()
    other.wait_for_load_state()
    before = PointsAccount.objects.get(member=answerer).balance

    page.reload()
    shot(page, artifacts_dir, width, "02-asker-sees-the-answer")
    page.get_by_role("button", name="Accept this answer").click()
    page.wait_for_load_state()
    page.get_by_text("Answer accepted: the bounty was paid to its author.").wait_for()
    assert page.locator("[data-accepted-answer]").is_visible()
    assert Bounty.objects.get(topic=topic).status == Bounty.Status.ACCEPTED
    shot(page, artifacts_dir, width, "03-accepted-answer-first")
    fits(page, width)

    other.goto(f"{live_server.url}/me/points/")
    balance = PointsAccount.objects.get(member=answerer).balance
    assert balance == before + 80
    assert str(balance) in other.locator(".points-summary").inner_text()
    ledger = other.locator("table.ledger").inner_text()
    assert "Bounty won" in ledger and "bounty_paid" not in ledger
    shot(other, artifacts_dir, width, "04-answerer-balance")
    fits(other, width)

    operator = new_page(browser, live_server, width, staff)
    operator.goto(f"{live_server.url}/economy/")
    assert operator.locator("[data-chart='flows'] svg").is_visible()
    assert "bounty_escrow" not in operator.content() and "Bounty offered" in operator.content()
    shot(operator, artifacts_dir, width, "05-economy")
    fits(operator, width)


def _topic_points(member):
    from engagement.points.models import PointsEntry

    return sum(PointsEntry.objects.filter(member=member, reason="topic_created").values_list("amount", flat=True))

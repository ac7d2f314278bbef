"""The shop's pages and JSON API: redeeming from the page and the API (idempotent per request key),
the member's orders, the order desk and the economy page for operators only, addresses private to
operators, and the OpenAPI document listing every shop operation."""

import pytest

from engagement.points import services as points
from engagement.shop.models import ShopItem, ShopOrder
from forum import tokens
from tests.factories import UserFactory

API = "/api/v1"
ADDRESS = {"recipient": "王芳", "phone": "13800000000", "address": "上海市徐汇区漕溪北路 100 号"}


def bearer(user):
    _token, secret = tokens.api_token_create(actor=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def mug(db):
    return ShopItem.objects.create(slug="mug", name="活力马克杯", price=100, stock=3)


@pytest.fixture
def buyer(db):
    member = UserFactory()
    points.points_award(member=member, rule_code="checkin_streak_bonus", amount=300, source_type="t", source_id="1")
    return member


def test_redeem_from_the_page_and_see_the_order(client, mug, buyer):
    client.force_login(buyer)
    page = client.get("/shop/")
    assert "活力马克杯" in page.text
    form = client.get(mug.get_absolute_url())
    key = form.context["request_key"]
    response = client.post(mug.get_absolute_url(), {"request_key": key, **ADDRESS})
    assert response.status_code == 302 and response["Location"] == "/me/orders/"
    client.post(mug.get_absolute_url(), {"request_key": key, **ADDRESS})  # double submit
    assert ShopOrder.objects.filter(member=buyer).count() == 1
    orders = client.get("/me/orders/")
    assert "活力马克杯" in orders.text and 'data-status="placed"' in orders.text


def test_order_desk_and_economy_are_for_operators_only(client, mug, buyer, staff):
    from engagement.shop import services

    order = services.shop_redeem(actor=buyer, item_id=mug.pk, request_key="k", **ADDRESS)
    client.force_login(buyer)
    assert client.get("/shop/manage/").status_code == 403
    assert client.get("/economy/").status_code == 403
    assert client.post(f"/shop/manage/orders/{order.pk}/fulfil/").status_code == 403
    client.force_login(staff)
    desk = client.get("/shop/manage/")
    assert ADDRESS["address"] in desk.text
    client.post(f"/shop/manage/orders/{order.pk}/fulfil/")
    order.refresh_from_db()
    assert order.status == "fulfilled"
    economy = client.get("/economy/")
    assert economy.status_code == 200 and "活力马克杯" in economy.text
    # charts an operator looks at, each an SVG image with a title and a description, beside the tables
    for chart in ("flows", "circulation", "inflation", "reasons", "sales", "earners"):
        assert f'data-chart="{chart}"><svg class="chart"' in economy.text, chart
    assert economy.text.count('role="img"') >= 6 and "<desc id=" in economy.text
    assert "shop_redeem" not in economy.text and "积分商城" in economy.text


def test_api_redeem_idempotent_orders_and_operator_verbs(client, mug, buyer, staff):
    url = f"{API}/shop/items/{mug.pk}/redeem"
    body = {"request_key": "api-1", **ADDRESS}
    first = client.post(url, body, content_type="application/json", **bearer(buyer))
    assert first.status_code == 201 and first.json()["status"] == "placed"
    again = client.post(url, body, content_type="application/json", **bearer(buyer))
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    mine = client.get(f"{API}/shop/orders/me", **bearer(buyer)).json()
    assert [o["id"] for o in mine] == [first.json()["id"]] and "delivery" not in mine[0]
    assert client.get(f"{API}/shop/orders", **bearer(buyer)).status_code == 403
    desk = client.get(f"{API}/shop/orders", **bearer(staff)).json()
    assert desk[0]["delivery"]["address"] == ADDRESS["address"]
    oid = first.json()["id"]
    assert client.post(f"{API}/shop/orders/{oid}/cancel", {"reason": "x"}, content_type="application/json",
                       **bearer(buyer)).status_code == 403
    cancelled = client.post(f"{API}/shop/orders/{oid}/cancel", {"reason": "缺货"}, content_type="application/json",
                            **bearer(staff))
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    shipped = client.post(f"{API}/shop/orders/{oid}/ship", {"tracking_note": "SF1"}, content_type="application/json",
                          **bearer(staff))
    assert shipped.status_code == 409
    poor = UserFactory()
    short = client.post(url, {"request_key": "p", **ADDRESS}, content_type="application/json", **bearer(poor))
    assert short.status_code == 409 and short.json()["error"]["code"] == "insufficient_points"
    economy = client.get(f"{API}/shop/economy", **bearer(staff)).json()
    assert economy["circulation"]["total"] == 300
    assert client.get(f"{API}/shop/items").json()[0]["slug"] == "mug"


def test_openapi_lists_the_shop(client, db):
    schema = client.get(f"{API}/openapi.json").json()
    paths = {p for p in schema["paths"] if p.startswith(f"{API}/shop/")}
    assert paths == {f"{API}/shop/items", f"{API}/shop/items/{{item_id}}/redeem", f"{API}/shop/orders/me",
                     f"{API}/shop/orders", f"{API}/shop/orders/{{order_id}}/fulfil",
                     f"{API}/shop/orders/{{order_id}}/ship", f"{API}/shop/orders/{{order_id}}/cancel",
                     f"{API}/shop/economy"}
    assert "ShopOrderOut" in schema["components"]["schemas"]

"""The rewards shop in the JSON API (/api/v1/shop/...): the catalogue, redeeming (idempotent per
request_key: repeating a request returns the same order with 200 instead of 201), the member's
orders, and for operators the order desk (with delivery addresses), fulfil / ship / cancel with
refund and the economy-health figures. Same services and checks as the pages."""

from datetime import date, datetime

from ninja import Field, Router, Schema, Status

from forum.api_schemas import OBJECT_ID as ID
from forum.api_schemas import READ_ERRORS, WRITE_ERRORS
from forum.tokens import MEMBER_AUTH, READ_AUTH

from . import permissions, selectors, services

router = Router(tags=["shop"])


class ShopItemOut(Schema):
    id: int
    slug: str
    name: str
    description: str
    kind: str = Field(description="physical, title, decoration, lottery_ticket or makeup_card")
    price: int
    stock: int | None = Field(None, description="null: unlimited")
    per_member_limit: int = Field(description="0: no limit")
    min_level: int
    sale_starts_at: datetime | None = None
    sale_ends_at: datetime | None = None


class ShopRedeemIn(Schema):
    request_key: str = Field(min_length=1, max_length=64,
                             description="Chosen by the client; repeating it returns the same order")
    recipient: str = Field("", max_length=60, description="physical items only")
    phone: str = Field("", max_length=30, description="physical items only")
    address: str = Field("", max_length=500, description="physical items only; seen by operators only")


class ShopOrderOut(Schema):
    id: int
    item_id: int
    item_name: str
    price: int
    status: str = Field(description="placed, fulfilled, shipped or cancelled")
    tracking_note: str
    cancel_reason: str
    created_at: datetime
    fulfilled_at: datetime | None = None
    shipped_at: datetime | None = None
    cancelled_at: datetime | None = None


class ShopDeliveryOut(Schema):
    recipient: str
    phone: str
    address: str


class ShopOperatorOrderOut(ShopOrderOut):
    member_id: int
    member_username: str
    delivery: ShopDeliveryOut | None = None


class ShopShipIn(Schema):
    tracking_note: str = Field(min_length=1, max_length=200)


class ShopCancelIn(Schema):
    reason: str = Field(min_length=1, max_length=300)


class ShopWeekOut(Schema):
    week: date
    sources: int
    sinks: int
    net: int
    active_members: int
    issued_per_active: float
    circulation: int


class ShopReasonOut(Schema):
    reason: str
    label: str
    kind: str
    kind_label: str
    points: int
    entries: int


class ShopMemberPointsOut(Schema):
    member_id: int
    username: str
    points: int


class ShopSalesOut(Schema):
    item_id: int
    name: str
    orders: int
    points: int
    cancelled: int
    stock: int | None = None


class ShopCirculationOut(Schema):
    total: int
    holders: int


class ShopEconomyOut(Schema):
    weekly: list[ShopWeekOut]
    by_reason: list[ShopReasonOut]
    circulation: ShopCirculationOut
    top_earners: list[ShopMemberPointsOut]
    top_spenders: list[ShopMemberPointsOut]
    shop_sales: list[ShopSalesOut]


def order_out(order):
    return {"id": order.pk, "item_id": order.item_id, "item_name": order.item.name, "price": order.price,
            "status": order.status, "tracking_note": order.tracking_note, "cancel_reason": order.cancel_reason,
            "created_at": order.created_at, "fulfilled_at": order.fulfilled_at, "shipped_at": order.shipped_at,
            "cancelled_at": order.cancelled_at}


def operator_order_out(order):
    return {**order_out(order), "member_id": order.member_id, "member_username": order.member.username,
            "delivery": ({"recipient": order.recipient, "phone": order.phone, "address": order.address}
                         if order.item.is_physical else None)}


@router.get("/shop/items", response={200: list[ShopItemOut], **READ_ERRORS}, auth=READ_AUTH,
            openapi_extra={"security": [{}]}, summary="Items on sale in the rewards shop")
def shop_items(request):
    return selectors.items_on_sale()


@router.post("/shop/items/{item_id}/redeem", response={200: ShopOrderOut, 201: ShopOrderOut, **WRITE_ERRORS},
             auth=MEMBER_AUTH, summary="Redeem an item with points (201 new order, 200 the same request again)")
def shop_redeem(request, payload: ShopRedeemIn, item_id: int = ID):
    order = services.shop_redeem(actor=request.auth, item_id=item_id, request_key=payload.request_key,
                                 recipient=payload.recipient, phone=payload.phone, address=payload.address)
    return Status(200 if order.duplicate else 201, order_out(order))


@router.get("/shop/orders/me", response={200: list[ShopOrderOut], **READ_ERRORS}, auth=MEMBER_AUTH,
            summary="My shop orders, newest first")
def shop_my_orders(request):
    return [order_out(o) for o in selectors.member_orders(member=request.auth)]


@router.get("/shop/orders", response={200: list[ShopOperatorOrderOut], **READ_ERRORS}, auth=MEMBER_AUTH,
            summary="Operators: every order, with delivery addresses")
def shop_orders(request, status: str = ""):
    permissions.check_operate_shop(request.auth)
    return [operator_order_out(o) for o in selectors.operator_orders(status=status)]


def _reload(order_id):
    return operator_order_out(selectors.order_get(order_id=order_id))


@router.post("/shop/orders/{order_id}/fulfil", response={200: ShopOperatorOrderOut, **WRITE_ERRORS},
             auth=MEMBER_AUTH, summary="Operators: mark an order fulfilled (once)")
def shop_order_fulfil(request, order_id: int = ID):
    services.order_fulfil(actor=request.auth, order_id=order_id)
    return _reload(order_id)


@router.post("/shop/orders/{order_id}/ship", response={200: ShopOperatorOrderOut, **WRITE_ERRORS},
             auth=MEMBER_AUTH, summary="Operators: ship a physical order with a tracking note (once)")
def shop_order_ship(request, payload: ShopShipIn, order_id: int = ID):
    services.order_ship(actor=request.auth, order_id=order_id, tracking_note=payload.tracking_note)
    return _reload(order_id)


@router.post("/shop/orders/{order_id}/cancel", response={200: ShopOperatorOrderOut, **WRITE_ERRORS},
             auth=MEMBER_AUTH, summary="Operators: cancel an unshipped order and refund its points (once)")
def shop_order_cancel(request, payload: ShopCancelIn, order_id: int = ID):
    services.order_cancel(actor=request.auth, order_id=order_id, reason=payload.reason)
    return _reload(order_id)


@router.get("/shop/economy", response={200: ShopEconomyOut, **READ_ERRORS}, auth=MEMBER_AUTH,
            summary="Operators: economy health (sources and sinks per week, circulation, top members, sales)")
def shop_economy(request):
    permissions.check_operate_shop(request.auth)
    health = selectors.economy_health()

    def members(rows):
        return [{"member_id": r["member_id"], "username": r["member__username"], "points": r["points"]} for r in rows]

    return {"weekly": health["weekly"], "by_reason": health["by_reason"], "circulation": health["circulation"],
            "top_earners": members(health["top_earners"]), "top_spenders": members(health["top_spenders"]),
            "shop_sales": health["shop_sales"]}


def register(api):
    api.add_router("/", router)
    return api

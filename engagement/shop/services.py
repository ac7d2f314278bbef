"""Every write of the rewards shop: redeem, fulfil, ship, cancel with a refund.

Redemption runs in one transaction that locks the item row first and then (inside points_spend)
the member's points account: always in that order, so two redemptions can never deadlock. Under the
item lock it returns the member's existing order for the same request key (a double submit or a
retried API call writes one order), checks the on-sale window, the stock and the per-member limit,
spends the price through the ledger (which refuses a short balance under the account lock),
decrements the stock and writes the order. Any refusal rolls all of it back, so stock is never sold
twice and a balance never goes below zero.

Operator verbs (fulfil, ship, cancel) lock the order row, move it one step, each at most once, and
record an audit entry. A cancellation pays the refund through points_reverse, whose own idempotency
key ("rev:" + the spend's key) makes a retried task refund once, and puts the stock back.
"""

import re

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import audit_record
from engagement.badges import services as badges
from engagement.points import services as points
from forum.errors import Conflict, InvalidInput
from forum.models import Notification
from forum.services import notification_create

from . import permissions
from .models import MemberDecoration, MemberTitle, ShopItem, ShopOrder

SPEND_REASON = "shop_redeem"
_KEY_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


def _clean_key(request_key):
    key = str(request_key or "").strip()
    if not _KEY_RE.match(key):
        raise InvalidInput(_("A redemption needs a request key of 1 to 64 letters, digits or -_.:"),
                           field="request_key")
    return key


def _text_ok(value):
    """False for text PostgreSQL cannot store (NUL) or UTF-8 cannot encode (lone surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in value


def _clean_text(value, *, field, max_length, message):
    value = str(value or "").strip()
    if not value or len(value) > max_length or not _text_ok(value):
        raise InvalidInput(message, field=field)
    return value


def _clean_delivery(item, recipient, phone, address):
    recipient, phone, address = (str(v or "").strip() for v in (recipient, phone, address))
    if not all(_text_ok(v) for v in (recipient, phone, address)):
        raise InvalidInput(_("Give a delivery address (5 to 500 characters)."), field="address")
    if not item.is_physical:
        return "", "", ""
    if not recipient or len(recipient) > 60:
        raise InvalidInput(_("Give the recipient's name (up to 60 characters)."), field="recipient")
    if not re.match(r"^[0-9+\- ()]{5,30}$", phone):
        raise InvalidInput(_("Give a phone number the courier can call."), field="phone")
    if len(address) < 5 or len(address) > 500 or "\x00" in address:
        raise InvalidInput(_("Give a delivery address (5 to 500 characters)."), field="address")
    return recipient, phone, address


@transaction.atomic
def shop_redeem(*, actor, item_id, request_key, recipient="", phone="", address=""):
    """Buy one of an item with points. Returns the order (the existing one for a repeated request
    key, marked .duplicate = True)."""
    key = _clean_key(request_key)
    # 1. the item row, locked: serialises every redemption of this item (and its stock)
    item = ShopItem.objects.select_for_update().filter(pk=item_id).first()
    if item is None:
        raise InvalidInput(_("There is no such item."), code="not_found", field="item")
    existing = ShopOrder.objects.filter(member_id=actor.pk, request_key=key).first()
    if existing is not None:
        existing.duplicate = True
        return existing
    permissions.check_redeem(actor, item)
    now = timezone.now()
    if not item.on_sale(now):
        raise Conflict(_("“%(item)s” is not on sale now.") % {"item": item.name}, code="not_on_sale")
    if item.sold_out:
        raise Conflict(_("“%(item)s” is sold out.") % {"item": item.name}, code="sold_out")
    if item.per_member_limit:
        held = ShopOrder.objects.filter(item=item, member_id=actor.pk).exclude(
            status=ShopOrder.Status.CANCELLED).count()
        if held >= item.per_member_limit:
            raise Conflict(_("You may redeem “%(item)s” at most %(n)d times.") % {
                "item": item.name, "n": item.per_member_limit}, code="limit_reached")
    recipient, phone, address = _clean_delivery(item, recipient, phone, address)
    # 2. the member's points account, locked inside points_spend (refuses a short balance)
    entry = points.points_spend(member=actor, amount=item.price, reason=SPEND_REASON, key=f"{item.pk}:{key}",
                                note=item.name[:100])
    if item.stock is not None:
        ShopItem.objects.filter(pk=item.pk).update(stock=item.stock - 1)
        item.stock -= 1
    virtual = not item.is_physical
    order = ShopOrder.objects.create(
        item=item, member_id=actor.pk, request_key=key, price=item.price, spend_entry_id=entry.pk,
        recipient=recipient, phone=phone, address=address, created_at=now,
        status=ShopOrder.Status.FULFILLED if virtual else ShopOrder.Status.PLACED,
        fulfilled_at=now if virtual else None,
    )
    _take_effect(order, item, actor, now)
    order.duplicate = False
    return order


def _order_note(order):
    return f"shop order #{order.pk}"


def _take_effect(order, item, member, now):
    """What a virtual item does on redemption, in the same transaction: a title or a decoration shows
    next to the name, a badge is held; make-up cards and lottery tickets wait, unused, until
    checkin_makeup or lottery_enter asks for one (use_voucher)."""
    if item.kind == ShopItem.Kind.TITLE:
        MemberTitle.objects.update_or_create(member_id=member.pk, defaults={
            "order": order, "text": item.title_text or item.name[:20], "created_at": now})
    elif item.kind == ShopItem.Kind.DECORATION:
        MemberDecoration.objects.update_or_create(member_id=member.pk, defaults={
            "order": order, "style": item.decoration_style or "gold", "name": item.name, "created_at": now})
    elif item.kind == ShopItem.Kind.BADGE:
        if item.badge_id is None:
            raise Conflict(_("“%(item)s” has no badge to give: ask an operator.") % {"item": item.name},
                           code="misconfigured")
        badges.badge_give_bought(member=member, badge=item.badge, note=_order_note(order))


def _undo_effect(order, item):
    MemberTitle.objects.filter(order=order).delete()
    MemberDecoration.objects.filter(order=order).delete()
    if item.kind == ShopItem.Kind.BADGE and item.badge_id:
        badges.badge_take_back_bought(member=order.member, badge=item.badge, note=_order_note(order))


def use_voucher(*, member, kind, ref):
    """Use up one unused make-up card or lottery ticket of the member (the oldest first), inside the
    caller's transaction and under the order's row lock, so one card pays once. Returns a reference
    ("shop-order-<id>") or None when the member holds none. Connected to extension.voucher_use."""
    if kind not in (ShopItem.Kind.MAKEUP_CARD, ShopItem.Kind.LOTTERY_TICKET):
        return None
    with transaction.atomic():
        order = ShopOrder.objects.select_for_update(of=("self",)).filter(
            member_id=member.pk, item__kind=kind, status=ShopOrder.Status.FULFILLED,
            used_at__isnull=True).order_by("created_at", "id").first()
        if order is None:
            return None
        order.used_at, order.used_for = timezone.now(), str(ref)[:60]
        order.save(update_fields=["used_at", "used_for"])
    return f"shop-order-{order.pk}"


def vouchers_held(*, member, kind):
    return ShopOrder.objects.filter(member_id=member.pk, item__kind=kind, status=ShopOrder.Status.FULFILLED,
                                    used_at__isnull=True).count()


def _locked_order(order_id):
    order = ShopOrder.objects.select_for_update(of=("self",)).select_related("item", "member").filter(
        pk=order_id).first()
    if order is None:
        raise InvalidInput(_("There is no such order."), code="not_found", field="order")
    return order


@transaction.atomic
def order_fulfil(*, actor, order_id, note=""):
    """Operator: the order is prepared / handed over (placed -> fulfilled), once."""
    permissions.check_operate_shop(actor)
    order = _locked_order(order_id)
    if order.status == ShopOrder.Status.FULFILLED:
        return order
    if order.status != ShopOrder.Status.PLACED:
        raise Conflict(_("Only a placed order can be fulfilled."), code="wrong_status")
    order.status, order.fulfilled_at = ShopOrder.Status.FULFILLED, timezone.now()
    order.save(update_fields=["status", "fulfilled_at"])
    audit_record(actor=actor, action="shop.order_fulfil", reason=note or "fulfilled", target=order,
                 subject=order.member, data={"item": order.item_id})
    return order


@transaction.atomic
def order_ship(*, actor, order_id, tracking_note):
    """Operator: a physical order leaves with a tracking note (placed/fulfilled -> shipped), once."""
    permissions.check_operate_shop(actor)
    tracking_note = _clean_text(tracking_note, field="tracking_note", max_length=200,
                                message=_("Give a tracking note (up to 200 characters)."))
    order = _locked_order(order_id)
    if order.status == ShopOrder.Status.SHIPPED:
        return order
    if not order.item.is_physical or order.status not in (ShopOrder.Status.PLACED, ShopOrder.Status.FULFILLED):
        raise Conflict(_("Only a physical order that is not cancelled can be shipped."), code="wrong_status")
    now = timezone.now()
    order.status, order.shipped_at, order.tracking_note = ShopOrder.Status.SHIPPED, now, tracking_note
    order.fulfilled_at = order.fulfilled_at or now
    order.save(update_fields=["status", "shipped_at", "tracking_note", "fulfilled_at"])
    audit_record(actor=actor, action="shop.order_ship", reason=tracking_note, target=order, subject=order.member,
                 data={"item": order.item_id})
    notification_create(recipient=order.member, kind=Notification.Kind.SYSTEM, url=reverse("shop:my_orders"),
                        message=_("Your order #%(n)d (%(item)s) has shipped: %(note)s") % {
                            "n": order.pk, "item": order.item.name, "note": tracking_note})
    return order


@transaction.atomic
def order_cancel(*, actor, order_id, reason):
    """Operator: cancel an order that has not shipped and refund its points, once. The stock goes
    back; a bought title is taken down. Safe to run again (a retried task): the second call finds
    the order cancelled and the refund already written under its key."""
    permissions.check_operate_shop(actor)
    reason = _clean_text(reason, field="reason", max_length=300, message=_("Say why: a reason is required."))
    item_id = ShopOrder.objects.filter(pk=order_id).values_list("item_id", flat=True).first()
    if item_id is None:
        raise InvalidInput(_("There is no such order."), code="not_found", field="order")
    # lock order: item -> order -> points account, as in shop_redeem
    item = ShopItem.objects.select_for_update().get(pk=item_id)
    order = _locked_order(order_id)
    if order.status == ShopOrder.Status.CANCELLED:
        return order
    if order.status == ShopOrder.Status.SHIPPED:
        raise Conflict(_("A shipped order cannot be cancelled."), code="wrong_status")
    if order.used_at is not None:
        raise Conflict(_("This voucher was already used: the order cannot be cancelled."), code="used")
    refund = points.points_reverse(entry=order.spend_entry, note=reason[:200])
    if item.stock is not None:
        ShopItem.objects.filter(pk=item.pk).update(stock=item.stock + 1)
    _undo_effect(order, item)
    order.status, order.cancelled_at = ShopOrder.Status.CANCELLED, timezone.now()
    order.cancel_reason, order.refund_entry = reason, refund
    order.save(update_fields=["status", "cancelled_at", "cancel_reason", "refund_entry"])
    audit_record(actor=actor, action="shop.order_cancel", reason=reason, target=order, subject=order.member,
                 data={"item": item.pk, "refund": refund.amount, "refund_entry": refund.pk})
    return order

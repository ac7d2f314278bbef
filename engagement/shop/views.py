"""Shop pages: the catalogue, an item with its redemption form, the member's orders, and for
operators the order desk (addresses, fulfil / ship / cancel with refund) and the economy page."""

import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from engagement.points.selectors import account_get
from forum.errors import ForumError
from forum.lib.web import login_redirect
from forum.views import shows_forum_errors

from . import permissions, selectors, services
from .models import ShopOrder


@require_safe
def shop_index(request):
    balance = account_get(member=request.user).balance if request.user.is_authenticated else None
    return render(request, "shop/shop_index.html", {"items": selectors.items_on_sale(), "balance": balance,
                                                    "may_operate": permissions.can_operate_shop(request.user)})


@require_http_methods(["GET", "HEAD", "POST"])
@shows_forum_errors
def shop_item(request, slug):
    item = selectors.item_get(slug=slug)
    if item is None:
        raise Http404
    values = {}
    if request.method == "POST":
        if not request.user.is_authenticated:
            return login_redirect(request, item.get_absolute_url())
        values = {k: request.POST.get(k, "") for k in ("recipient", "phone", "address")}
        try:
            order = services.shop_redeem(actor=request.user, item_id=item.pk,
                                         request_key=request.POST.get("request_key", ""), **values)
        except ForumError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Redeemed: order #%(n)d.") % {"n": order.pk})
            return redirect("shop:my_orders")
    balance = account_get(member=request.user).balance if request.user.is_authenticated else None
    return render(request, "shop/shop_item.html", {"item": item, "balance": balance, "values": values,
                                                   "request_key": uuid.uuid4().hex})


@require_safe
def my_orders(request):
    if not request.user.is_authenticated:
        return login_redirect(request)
    return render(request, "shop/my_orders.html", {"orders": selectors.member_orders(member=request.user)})


@require_safe
@shows_forum_errors
def manage_orders(request):
    permissions.check_operate_shop(request.user)
    status = request.GET.get("status", "")
    if status not in ShopOrder.Status.values:
        status = ""
    return render(request, "shop/manage_orders.html", {
        "orders": selectors.operator_orders(status=status), "status": status, "statuses": ShopOrder.Status.choices})


@require_POST
@shows_forum_errors
def manage_order_action(request, pk, verb):
    permissions.check_operate_shop(request.user)
    try:
        if verb == "fulfil":
            services.order_fulfil(actor=request.user, order_id=pk)
        elif verb == "ship":
            services.order_ship(actor=request.user, order_id=pk, tracking_note=request.POST.get("tracking_note", ""))
        elif verb == "cancel":
            services.order_cancel(actor=request.user, order_id=pk, reason=request.POST.get("reason", ""))
        else:
            raise Http404
    except ForumError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Order #%(n)d updated.") % {"n": pk})
    return redirect(reverse("shop:manage") + "#order-%d" % pk)


@require_safe
@shows_forum_errors
def economy(request):
    permissions.check_operate_shop(request.user)
    health = selectors.economy_health()
    return render(request, "shop/economy.html", {"health": health, "charts": _economy_charts(health)})


def _economy_charts(health):
    """Server-drawn SVG charts of the economy; each page section keeps the same numbers in a table."""
    from engagement.kol import svg

    weekly = health["weekly"]
    size = {"width": 400}  # a narrow drawing: its text stays readable on a phone, and scales up on a desktop
    labels = [w["week"].strftime("%m-%d") for w in weekly]
    charts = {}
    if weekly:
        charts["flows"] = svg.line_chart(
            series=[(_("Issued"), [w["sources"] for w in weekly]), (_("Taken out"), [w["sinks"] for w in weekly])],
            labels=labels, title=_("Sources and sinks per week"), height=200, **size,
            desc=_("Points issued and points taken out of circulation, week by week; the table below has the figures."))
        charts["circulation"] = svg.line_chart(
            series=[(_("Points in circulation"), [w["circulation"] for w in weekly])], labels=labels,
            title=_("Points in circulation"), desc=_("Points held by members at the end of each week."),
            y_label=_("points"), height=200, **size)
        charts["inflation"] = svg.line_chart(
            series=[(_("Issued per active member"), [w["issued_per_active"] for w in weekly])], labels=labels,
            title=_("Inflation: points issued per active member"),
            desc=_("Points issued in a week divided by the members whose points moved that week."), y_label=_("points"),
            height=200, **size)
    reasons = [r for r in health["by_reason"] if r["points"]]
    if reasons:
        charts["reasons"] = svg.bar_chart(
            rows=[(r["label"], abs(r["points"])) for r in reasons],
            colors=["#1a7f37" if r["points"] > 0 else "#b42318" for r in reasons],
            title=_("Sources and sinks by reason, last four weeks"),
            desc=_("Green bars are points issued, red bars points taken out; the list below has the figures."),
            label_width=110, **size)
    sales = [s for s in health["shop_sales"] if s["orders"]]
    if sales:
        charts["sales"] = svg.bar_chart(rows=[(s["name"], s["orders"]) for s in sales[:12]],
                                        title=_("Shop sales by item"), desc=_("Orders per item, cancelled ones left out."),
                                        label_width=110, **size)
    if health["top_earners"]:
        charts["earners"] = svg.bar_chart(rows=[(r["member__username"], r["points"]) for r in health["top_earners"]],
                                          title=_("Top earners, last four weeks"), desc=_("Points earned per member."),
                                          label_width=110, **size)
    return charts

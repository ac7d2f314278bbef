"""The rewards shop (积分商城): items bought with points, and the orders that record each redemption.

- An item is physical (stock, a delivery address collected at redemption) or virtual (a title shown
  next to the member's name, a lottery ticket, a make-up card, a profile decoration). `stock` None
  means unlimited; otherwise it is decremented under a row lock in the same transaction as the
  spend and the order row, and a check constraint keeps it from going below zero.
- An order is placed -> fulfilled -> shipped (physical), or cancelled with a refund, each once.
  The spend and the refund are ledger entries (engagement.points), linked from the order; the
  request key makes a double submit or a retried API call write one order.
- The delivery address is kept on the order and shown only to operators and the buyer.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ShopItem(models.Model):
    class Kind(models.TextChoices):
        PHYSICAL = "physical", _("physical goods")
        TITLE = "title", _("title next to the name")
        BADGE = "badge", _("badge")
        DECORATION = "decoration", _("profile decoration")
        LOTTERY_TICKET = "lottery_ticket", _("lottery ticket")
        MAKEUP_CARD = "makeup_card", _("make-up check-in card")

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PHYSICAL)
    title_text = models.CharField(_("title text"), max_length=20, blank=True,
                                  help_text=_("For titles: the words shown next to the member's name."))
    badge = models.ForeignKey("badges.Badge", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("badge"), help_text=_("For badges: the badge the member receives."))
    decoration_style = models.CharField(_("decoration style"), max_length=12, blank=True, choices=[
        ("gold", _("gold")), ("jade", _("jade")), ("flame", _("flame"))],
        help_text=_("For profile decorations: the frame shown around the member's avatar and name."))
    price = models.PositiveIntegerField(_("price in points"))
    stock = models.PositiveIntegerField(_("stock"), null=True, blank=True, help_text=_("Empty: unlimited."))
    per_member_limit = models.PositiveSmallIntegerField(_("limit per member"), default=0,
                                                        help_text=_("0: no limit."))
    min_level = models.PositiveSmallIntegerField(_("minimum level"), default=0)
    sale_starts_at = models.DateTimeField(_("on sale from"), null=True, blank=True)
    sale_ends_at = models.DateTimeField(_("on sale until"), null=True, blank=True)
    is_active = models.BooleanField(_("listed"), default=True)
    sort_order = models.IntegerField(_("sort order"), default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("shop item")
        verbose_name_plural = _("shop items")
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="shop_item_price_positive"),
            models.CheckConstraint(condition=Q(stock__isnull=True) | Q(stock__gte=0), name="shop_item_stock_nonneg"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("shop:item", args=[self.slug])

    @property
    def is_physical(self):
        return self.kind == self.Kind.PHYSICAL

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.kind == self.Kind.BADGE and not self.badge_id:
            raise ValidationError({"badge": _("Choose the badge this item gives.")})
        if self.kind == self.Kind.DECORATION and not self.decoration_style:
            raise ValidationError({"decoration_style": _("Choose the decoration's style.")})

    def on_sale(self, at=None):
        at = at or timezone.now()
        return (self.is_active and (self.sale_starts_at is None or self.sale_starts_at <= at)
                and (self.sale_ends_at is None or at < self.sale_ends_at))

    @property
    def sold_out(self):
        return self.stock is not None and self.stock <= 0


class ShopOrder(models.Model):
    class Status(models.TextChoices):
        PLACED = "placed", _("placed")
        FULFILLED = "fulfilled", _("fulfilled")
        SHIPPED = "shipped", _("shipped")
        CANCELLED = "cancelled", _("cancelled and refunded")

    item = models.ForeignKey(ShopItem, on_delete=models.PROTECT, related_name="orders", verbose_name=_("item"))
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shop_orders",
                               verbose_name=_("member"))
    request_key = models.CharField(max_length=64)
    price = models.PositiveIntegerField(_("price paid"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLACED)
    recipient = models.CharField(_("recipient"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.TextField(_("delivery address"), max_length=500, blank=True)
    tracking_note = models.CharField(_("tracking note"), max_length=200, blank=True)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=300, blank=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True,
                                   help_text=_("Make-up cards and lottery tickets: when the voucher was used."))
    used_for = models.CharField(_("used for"), max_length=60, blank=True)
    spend_entry = models.OneToOneField("points.PointsEntry", on_delete=models.PROTECT, related_name="shop_order",
                                       verbose_name=_("spend"))
    refund_entry = models.OneToOneField("points.PointsEntry", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="shop_refund", verbose_name=_("refund"))
    created_at = models.DateTimeField(_("placed at"), default=timezone.now)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("shop order")
        verbose_name_plural = _("shop orders")
        constraints = [
            models.UniqueConstraint(fields=["member", "request_key"], name="shop_order_member_request_key"),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="shop_order_status_recent"),
                   models.Index(fields=["item", "member"], name="shop_order_item_member")]

    def __str__(self):
        return f"#{self.pk} {self.item}"


class MemberTitle(models.Model):
    """The title bought in the shop that is shown next to the member's name (one per member: a newer
    title replaces it). One-to-one with the member, so {% member_flair %} reads it through
    select_related("shop_title") with no query per name (engagement.selectors.MEMBER_FLAIR_RELATED)."""

    member = models.OneToOneField(settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE,
                                  related_name="shop_title")
    order = models.ForeignKey(ShopOrder, on_delete=models.CASCADE, related_name="titles")
    text = models.CharField(max_length=20)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.text


class MemberDecoration(models.Model):
    """The profile decoration bought in the shop (one per member: a newer one replaces it), shown as
    a frame on the member's name through {% member_flair %} (select_related("shop_decoration"))."""

    member = models.OneToOneField(settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE,
                                  related_name="shop_decoration")
    order = models.ForeignKey(ShopOrder, on_delete=models.CASCADE, related_name="decorations")
    style = models.CharField(max_length=12)
    name = models.CharField(max_length=120)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.name

"""Who may buy and who runs the shop.

- Redeeming: a signed-in active member at or above the item's minimum level (operators are not
  level-gated but pay like anyone).
- Operating the shop (all orders, delivery addresses, fulfil, ship, cancel with refund, the economy
  page): staff only. Addresses are never shown to anyone else but the buyer.
"""

from django.utils.translation import gettext as _

from forum.errors import NotAllowed
from forum.permissions import check_member


def can_operate_shop(user):
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def check_operate_shop(user):
    check_member(user)
    if not user.is_staff:
        raise NotAllowed(_("Only shop operators may do this."), code="operators_only")


def check_redeem(user, item):
    check_member(user)
    if item.min_level and not user.is_staff:
        from engagement.levels.selectors import level_by_number, member_level

        level = member_level(user)
        if level.number < item.min_level:
            needed = level_by_number(item.min_level)
            raise NotAllowed(_("This item needs level %(needed)s or above; you are %(level)s.") % {
                "needed": needed.label if needed else f"Lv{item.min_level}", "level": level.label},
                code="level_too_low")

"""Listeners of the shop: the title and the decoration bought in the shop are shown next to
members' names, so forum pages select them with their members (one join each, no query per name);
make-up cards and lottery tickets pay for check-in make-ups and lottery entries (extension.voucher_use)."""

from engagement import extension
from forum import hooks

for _path in ("shop_title", "shop_decoration"):
    if _path not in hooks.member_select_related:
        hooks.member_select_related.append(_path)


@extension.voucher_use.connect
def use_voucher(*, member, kind, ref):
    from .services import use_voucher as use

    return use(member=member, kind=kind, ref=ref)


@extension.voucher_count.connect
def count_vouchers(*, member, kind):
    from .services import vouchers_held

    return vouchers_held(member=member, kind=kind)

"""Listeners of the shop: the title bought in the shop is shown next to members' names, so forum
pages select it with their members (one join, no query per name)."""

from forum import hooks

if "shop_title" not in hooks.member_select_related:
    hooks.member_select_related.append("shop_title")

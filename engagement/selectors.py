"""Reads shared by the engagement sub-apps' pages."""

# select_related paths, from a User, that let {% member_flair %} render without a query per name:
#   Post.objects.select_related(*[f"author__{p}" for p in MEMBER_FLAIR_RELATED])
MEMBER_FLAIR_RELATED = ("member_level", "badge_choice__badge", "shop_title", "shop_decoration")


def with_member_flair(queryset, prefix=""):
    """Add the flair joins to a queryset of users (prefix="") or of rows with a user FK
    (prefix="author", "member", ...)."""
    lead = f"{prefix}__" if prefix else ""
    return queryset.select_related(*[f"{lead}{p}" for p in MEMBER_FLAIR_RELATED])


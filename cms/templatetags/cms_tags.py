"""{% load cms_tags %}

- {% featured_mark obj %}: the 精华 mark of a featured topic or post (nothing when not featured).
- {% feature_controls obj %}: the mark plus, for editors and moderators, the feature / unfeature
  form (with the optional editor's note), posting to the cms views.
- {% social_meta page %}: Open Graph and Twitter card <meta> tags for a Wagtail page; or
  {% social_meta title=... description=... %} for any other page.
"""

from django import template

from forum.models import Post, Topic
from forum.permissions import can_feature

register = template.Library()


@register.inclusion_tag("cms/includes/featured_mark.html")
def featured_mark(obj):
    return {"obj": obj, "featured": bool(getattr(obj, "is_featured", False))}


@register.inclusion_tag("cms/includes/feature_controls.html", takes_context=True)
def feature_controls(context, obj):
    request = context.get("request")
    user = getattr(request, "user", None)
    kind = "topic" if isinstance(obj, Topic) else "post" if isinstance(obj, Post) else None
    return {
        "obj": obj, "kind": kind, "featured": bool(getattr(obj, "is_featured", False)),
        "can_feature": kind is not None and user is not None and can_feature(user),
        "next": request.get_full_path() if request is not None else "",
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("cms/includes/social_meta.html", takes_context=True)
def social_meta(context, page=None, title="", description="", image_url="", kind="website"):
    request = context.get("request")
    image = None
    if page is not None:
        title = page.seo_title or page.title
        description = page.get_social_description() if hasattr(page, "get_social_description") else \
            page.search_description
        image = page.get_social_image() if hasattr(page, "get_social_image") else None
        kind = page.get_social_type() if hasattr(page, "get_social_type") else "article"
    if image is not None:
        rendition = image.get_rendition("fill-1200x630")
        image_url = rendition.url
    absolute = request.build_absolute_uri if request is not None else (lambda u: u)
    url = absolute(request.path) if request is not None else ""
    return {
        "title": title, "description": " ".join(str(description or "").split())[:300], "url": url,
        "image_url": absolute(image_url) if image_url else "", "kind": kind,
        "site_name": "活力 Huoli",
    }

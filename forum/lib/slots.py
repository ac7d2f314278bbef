"""Small builders for filling the forum's template slots (forum.hooks.template_slots): a stylesheet or a
script from an app's static files, and a template rendered with the current page's URL name (for
aria-current in navigation items). Domain-free, so any app may use them."""

from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html


def stylesheet(path):
    return lambda context: format_html('<link rel="stylesheet" href="{}">', static(path))


def script(path):
    return lambda context: format_html('<script src="{}" defer></script>', static(path))


def current_url_name(context):
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    return getattr(match, "url_name", None)


def include(template_name, context, values):
    """Render `template_name` with `values` as {% include %} / an inclusion tag would: the same engine and
    autoescaping, the page's request, user and CSRF token, none of the page's other variables."""
    template = context.template.engine.get_template(template_name)
    new = context.new({"request": context.get("request"), "csrf_token": context.get("csrf_token"),
                       "user": context.get("user"), **values})
    return template.render(new)


def template(template_name):
    """A slot renderer that includes `template_name`, with `current` (the page's URL name) set."""
    return lambda context, *args: include(template_name, context, {"current": current_url_name(context)})


def fragment(url_name, slot, *, members_only=True):
    """A slot renderer that leaves a placeholder htmx fills from another app's GET view once the page is shown,
    so the page itself stays the same for everyone (and cacheable). The view answers 204 for nothing to show."""
    def render(context, *args):
        user = getattr(context.get("request"), "user", None)
        if members_only and not getattr(user, "is_authenticated", False):
            return ""
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            return ""
        return format_html('<div hx-get="{}" hx-trigger="load" hx-swap="outerHTML" data-page-slot="{}"></div>',
                           url, slot)
    return render

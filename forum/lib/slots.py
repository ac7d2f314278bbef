"""Small builders for filling the forum's template slots (forum.hooks.template_slots): a stylesheet or a
script from an app's static files, and a template rendered with the current page's URL name (for
aria-current in navigation items). Domain-free, so any app may use them."""

from django.templatetags.static import static
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

"""Content-Security-Policy (Django 5.2 has none built in): one small middleware.

The forum's own pages load scripts and styles only from this origin (no inline scripts: every
script is a file under static/js, htmx runs with allowEval off). Inline *style attributes* are
allowed (style-src-attr) for the few colour variables templates set; inline <style> and <script>
are not. Two areas get a looser policy because their third-party pages need it: the Wagtail and
Django admins (/cms/, /admin/: inline scripts and styles) and the API docs (/api/v1/docs: Swagger
UI from the jsDelivr CDN). A response that already carries a policy (the SVG avatars) keeps it."""

from django.conf import settings

SELF_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "style-src-attr": "'unsafe-inline'",
    "img-src": "'self' data: https:",
    "font-src": "'self' data:",
    "connect-src": "'self' ws: wss:",
    "media-src": "'self' https:",
    "frame-src": "'self' https:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self' https:",
    "frame-ancestors": "'self'",
}
ADMIN_POLICY = {
    **SELF_POLICY,
    "script-src": "'self' 'unsafe-inline' 'unsafe-eval'",
    "style-src": "'self' 'unsafe-inline'",
}
DOCS_POLICY = {
    **SELF_POLICY,
    "script-src": "'self' 'unsafe-inline' https://cdn.jsdelivr.net",
    "style-src": "'self' 'unsafe-inline' https://cdn.jsdelivr.net",
}
LOOSE_PREFIXES = (("/cms/", ADMIN_POLICY), ("/admin/", ADMIN_POLICY), ("/api/v1/docs", DOCS_POLICY))


def render_policy(policy):
    return "; ".join(f"{name} {value}" for name, value in policy.items())


SELF_HEADER = render_policy(SELF_POLICY)
PREFIX_HEADERS = tuple((prefix, render_policy(policy)) for prefix, policy in LOOSE_PREFIXES)


def policy_for(path):
    for prefix, header in PREFIX_HEADERS:
        if path.startswith(prefix):
            return header
    return SELF_HEADER


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ("Content-Security-Policy-Report-Only" if getattr(settings, "CSP_REPORT_ONLY", False)
                       else "Content-Security-Policy")

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response and self.header not in response:
            response[self.header] = policy_for(request.path)
        return response

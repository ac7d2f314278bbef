"""The API's JSON error envelope, for answers made outside django-ninja: `{"error": {"code",
"message", "field"}}`, the shape forum.api gives every error raised inside an operation.

`ApiErrorEnvelopeMiddleware` makes it hold for every /api/ answer of 400 and above, whoever made
it: Django's URL resolver (404 for an unknown address), ninja's 405 for a method an operation does
not take, Django's 400 for a suspicious request, the 500 of an unhandled exception (logged by
Django as usual; the client sees no traceback and no HTML), and 413 for a body over
DATA_UPLOAD_MAX_MEMORY_SIZE (forum.lib.badtext). Headers such as Allow and Retry-After are kept."""

from django.http import JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"
# the documentation page is HTML on purpose; every other answer under /api/ is JSON
HTML_ALLOWED = ("/api/v1/docs",)

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         409: "conflict", 413: "too_large", 422: "validation_error", 429: "rate_limited", 500: "server_error",
         502: "bad_gateway", 503: "unavailable", 504: "timeout"}
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def is_api_request(request):
    return request.path_info.startswith(API_PREFIX)


def api_error(*, status, code, message, field=None):
    return JsonResponse({"error": {"code": code, "message": str(message), "field": field}}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def status_message(status):
    messages = {
        400: _("The request could not be understood."),
        401: _("Sign in, or send a personal API token as 'Authorization: Bearer <token>'."),
        403: _("You may not do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        413: _("The request body is too large."),
        429: _("You are doing that too often."),
        500: _("Something went wrong on our side. Nothing was shown to anyone; try again later."),
        503: _("The service is briefly unavailable. Try again in a moment."),
    }
    if status in messages:
        return messages[status]
    return _("The request failed (HTTP %(status)d).") % {"status": status}


class ApiErrorEnvelopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400 or not is_api_request(request):
            return response
        if request.path_info.startswith(HTML_ALLOWED):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response  # already the envelope (ninja's handlers in forum.api)
        envelope = api_error(status=response.status_code, code=CODES.get(response.status_code, "error"),
                             message=status_message(response.status_code))
        for header in KEPT_HEADERS:
            if header in response:
                envelope[header] = response[header]
        return envelope

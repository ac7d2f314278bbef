"""The API's JSON error envelope, for answers made outside django-ninja (middleware, URL-conf
handlers): `{"error": {"code", "message", "field"}}`, the same shape forum.api gives every error
raised inside an operation."""

from django.http import JsonResponse

API_PREFIX = "/api/"


def is_api_request(request):
    return request.path_info.startswith(API_PREFIX)


def api_error(*, status, code, message, field=None):
    return JsonResponse({"error": {"code": code, "message": str(message), "field": field}}, status=status,
                        json_dumps_params={"ensure_ascii": False})

"""Bad text refused at the door: NUL bytes, lone surrogates and other control characters.

PostgreSQL text columns cannot hold NUL (the ORM raises, a 500) and lone surrogates (U+D800 to
U+DFFF, which JSON's \\ud800 escape produces) cannot be encoded as UTF-8 (a 500 later, when the row
or the page is written). No person types either, nor the other C0 control characters (tab, line
feed and carriage return excepted). `RefuseBadTextMiddleware` checks the path, the query string,
form fields (names and values) and JSON bodies (every key and string, at any depth) before any view
runs, and answers 400 with a clear message: the API's JSON error envelope under /api/ (code
`invalid_text`, `field` naming the parameter), the site's 400 page elsewhere."""

import json
import re

from django.core.exceptions import RequestDataTooBig
from django.http import QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _

from .api_errors import api_error, is_api_request

# C0 controls except \t \n \r, and the surrogate block
_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def bad_text_reason(value):
    """Why `value` (a str) is not acceptable text, for a person; None when it is fine."""
    match = _BAD.search(value)
    if match is None:
        return None
    char = match.group()
    if char == "\x00":
        return _("it contains a NUL character (\\0)")
    if "\ud800" <= char <= "\udfff":
        return _("it contains a lone surrogate (U+%(code)04X), which is not valid Unicode text") % {
            "code": ord(char)}
    return _("it contains the control character U+%(code)04X") % {"code": ord(char)}


def _walk_json(value, path):
    """(field, reason) of the first bad string in a parsed JSON document, else None."""
    if isinstance(value, str):
        reason = bad_text_reason(value)
        return (path or None, reason) if reason else None
    if isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            reason = bad_text_reason(key)
            if reason:
                return child, reason
            found = _walk_json(item, child)
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _walk_json(item, f"{path}.{index}" if path else str(index))
            if found:
                return found
    return None


def _walk_querydict(data):
    for key, values in data.lists():
        reason = bad_text_reason(key)
        if reason:
            return key, reason
        for value in values:
            if isinstance(value, str):
                reason = bad_text_reason(value)
                if reason:
                    return key, reason
    return None


def find_bad_text(request):
    """(where, field, reason) of the first bad text in the request, else None. `where` is
    "path", "query" or "body"."""
    reason = bad_text_reason(request.path_info)
    if reason:
        return "path", None, reason
    found = _walk_querydict(request.GET)
    if found:
        return "query", *found
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        content_type = request.content_type or ""
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            found = _walk_querydict(request.POST)
            if found:
                return "body", *found
        elif content_type == "application/json" or content_type.endswith("+json"):
            try:
                document = json.loads(request.body)
            except ValueError:  # not JSON: the API answers that itself
                return None
            found = _walk_json(document, "")
            if found:
                return "body", *found
    return None


class RefuseBadTextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            found = find_bad_text(request)
        except RequestDataTooBig:
            message = _("The request body is too large.")
            if is_api_request(request):
                return api_error(status=413, code="too_large", message=message)
            request.GET = QueryDict()
            return render(request, "forum/bad_text.html", {"message": message}, status=413)
        if found is None:
            return self.get_response(request)
        where, field, reason = found
        places = {"path": _("The address"), "query": _("The query parameter %(name)s"),
                  "body": _("The field %(name)s")}
        subject = places[where] % {"name": field} if field else _("The request")
        message = _("%(subject)s is not valid text: %(reason)s. Remove it and try again.") % {
            "subject": subject, "reason": reason}
        if is_api_request(request):
            return api_error(status=400, code="invalid_text", message=message, field=field)
        request.GET = QueryDict()  # the page must not echo the bad text back (search box, next=)
        return render(request, "forum/bad_text.html", {"message": message}, status=400)

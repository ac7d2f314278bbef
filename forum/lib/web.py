"""Domain-free web helpers that every app's views use (the way Zulip's zerver/lib/ holds its shared pieces)."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.urls import reverse


def login_redirect(request, next_url=None):
    """Send a guest to the sign-in page and back to `next_url` (the current page by default); an htmx request
    gets an HX-Redirect instead of a 302 that htmx would swap into the page."""
    next_url = next_url or request.get_full_path()
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse(settings.LOGIN_URL) + "?" + urlencode({"next": next_url})
        return response
    return redirect_to_login(next_url)


def page_number(request):
    """The ?page= number, 1 for anything that is not a positive integer."""
    value = request.GET.get("page", "")
    return int(value) if value.isdigit() and int(value) > 0 else 1

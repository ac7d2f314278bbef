"""Personal API tokens: /settings/tokens/ lists the member's tokens, creates one (its secret is
shown once, in the response to the POST that made it) and revokes them."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import tokens
from .errors import ForumError


def _render(request, *, secret=None, new_token=None, error=None, name="", status=200):
    return render(
        request,
        "forum/api_tokens.html",
        {
            "tokens": tokens.api_tokens_for(user=request.user),
            "secret": secret,
            "new_token": new_token,
            "error": error,
            "name": name,
            "name_max_length": tokens.NAME_MAX_LENGTH,
            "revoked": request.method in ("GET", "HEAD") and request.GET.get("revoked") == "1",
        },
        status=status,
    )


@never_cache
@login_required
def api_tokens(request):
    if request.method != "POST":
        return _render(request)
    name = request.POST.get("name", "")
    try:
        token, secret = tokens.api_token_create(actor=request.user, name=name)
    except ForumError as exc:
        return _render(request, error=exc, name=name, status=400)
    return _render(request, secret=secret, new_token=token)


@never_cache
@login_required
@require_POST
def api_token_revoke(request, pk):
    token = tokens.api_token_get(token_id=pk, user=request.user)
    if token is None:
        raise Http404
    try:
        tokens.api_token_revoke(actor=request.user, token=token)
    except ForumError as exc:
        return _render(request, error=exc, status=403)
    return redirect(reverse("forum:api_tokens") + "?revoked=1")

"""Email settings: the preferences page, and the one-click unsubscribe (no sign-in: the signed token
is the authority; GET shows one button, POST - from that button or a mail client's RFC 8058
one-click request - unsubscribes)."""

from django.conf import settings
from django.contrib import messages as flash
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from forum.errors import ForumError
from forum.lib.web import login_redirect

from . import selectors, services
from .models import DIGEST_CHOICES, Frequency, Kind
from .tokens import read_unsubscribe_token


@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request):
    if not request.user.is_authenticated:
        return login_redirect(request)
    if request.method == "POST":
        choices = {kind: request.POST[kind] for kind in Kind.values if kind in request.POST}
        try:
            services.preferences_save(actor=request.user, choices=choices, language=request.POST.get("language"))
        except ForumError as error:
            flash.error(request, error.message)
        else:
            flash.success(request, _("Your email settings are saved."))
            return redirect("mailings:preferences")
    rows = [(kind, label, value, [(f.value, f.label) for f in (DIGEST_CHOICES if kind == Kind.DIGEST else Frequency)])
            for kind, label, value in selectors.preferences(member=request.user)]
    return render(request, "mailings/preferences.html", {
        "rows": rows, "language": selectors.language_of(request.user),
        "languages": settings.LANGUAGES, "email": request.user.email})


@csrf_exempt  # the signed token, not a session, says who is asking (mail clients POST without cookies)
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    found = read_unsubscribe_token(token)
    kind = found[1] if found else None
    label = dict(Kind.choices).get(kind, _("every email")) if found else None
    if request.method == "POST" and found:
        done = services.unsubscribe(token=token)
        if done is not None:
            return render(request, "mailings/unsubscribed.html", {"label": label})
    status = 200 if found else 400
    return render(request, "mailings/unsubscribe.html", {"valid": bool(found), "label": label}, status=status)

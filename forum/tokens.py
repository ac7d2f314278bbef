"""Personal API tokens and the authentication classes of the JSON API.

A token is `hl_` followed by 43 random URL-safe characters. Only its SHA-256 is stored
(`ApiToken.key_hash`); the secret is returned once, by `api_token_create`, and cannot be shown
again. `key_prefix` (the first 8 random characters) lets a member recognise a token in a list.

The API accepts, in this order:
- `Authorization: Bearer <token>` (TokenAuth). A header that names an unknown or revoked token is
  refused with 401 even when a session cookie is also sent, so a revoked token never silently
  falls back to another identity.
- the Django session (SessionAuth), with Django's CSRF check on unsafe methods.
- for reads only, anonymous access (`anonymous`), with the same permission checks as the pages.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from . import permissions
from .errors import InvalidInput, NotAllowed
from .models import ApiToken, User

TOKEN_PREFIX = "hl_"
NAME_MAX_LENGTH = 60
MAX_TOKENS_PER_MEMBER = 20
LAST_USED_RESOLUTION = timedelta(minutes=1)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def hash_secret(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


# --- services ----------------------------------------------------------------------------------
@transaction.atomic
def api_token_create(*, actor, name):
    """Create a token for `actor`. Returns (token, secret); the secret is not stored anywhere."""
    permissions.check_member(actor)
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput(_("Give the token a name."), field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidInput(_("The name is too long (at most %(n)d characters).") % {"n": NAME_MAX_LENGTH},
                           field="name")
    # the lock on the member's row keeps two concurrent requests from passing the limit together
    User.objects.select_for_update().filter(pk=actor.pk).first()
    if ApiToken.objects.filter(user=actor).count() >= MAX_TOKENS_PER_MEMBER:
        raise InvalidInput(
            _("You already have %(n)d tokens. Revoke one you no longer use first.") % {"n": MAX_TOKENS_PER_MEMBER},
            field="name",
        )
    random_part = secrets.token_urlsafe(32)
    secret = TOKEN_PREFIX + random_part
    token = ApiToken.objects.create(user=actor, name=name, key_prefix=random_part[:8], key_hash=hash_secret(secret))
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor, token):
    """Delete one of the actor's tokens; requests that present it are refused from now on."""
    permissions.check_member(actor)
    if token.user_id != actor.pk:
        raise NotAllowed(_("You may only revoke your own tokens."))
    deleted, _detail = ApiToken.objects.filter(pk=token.pk, user=actor).delete()
    return bool(deleted)


def api_token_touch(*, token, now=None):
    """Record that the token was used, writing at most once a minute per token."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return False
    updated = ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
    token.last_used_at = now
    return bool(updated)


# --- reads -------------------------------------------------------------------------------------
def api_tokens_for(*, user):
    return list(ApiToken.objects.filter(user=user).order_by("-created_at", "-id"))


def api_token_get(*, token_id, user):
    """One of the user's tokens, or None (someone else's token is as good as unknown)."""
    return ApiToken.objects.filter(pk=token_id, user=user).first()


def api_token_authenticate(secret):
    """The active member a secret belongs to, or None. Updates last_used_at (at most once a minute)."""
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_secret(secret)).first()
    if token is None or not token.user.is_active or token.user.is_banned:
        return None
    api_token_touch(token=token)
    return token.user


# --- ninja authentication ----------------------------------------------------------------------
class TokenAuth(HttpBearer):
    """`Authorization: Bearer hl_...`: a personal token from /settings/tokens/."""

    openapi_description = "A personal API token created at /settings/tokens/."

    def __call__(self, request):
        header = request.headers.get(self.header)
        if not header:
            return None
        scheme, _sep, secret = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        user = self.authenticate(request, secret.strip())
        if user is None:
            raise AuthenticationError(401, _("The API token is invalid or has been revoked."))
        return user

    def authenticate(self, request, token):
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in member's Django session. Unsafe methods need the CSRF token
    (`X-CSRFToken` header with the `csrftoken` cookie), as Django's forms do."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self):
        super().__init__(csrf=True)

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and not getattr(request, "_ninja_csrf_exempt", False):
            if check_csrf(request) is not None:
                raise HttpError(403, _("CSRF check failed: send the X-CSRFToken header with the csrftoken cookie."))
        return user

    def authenticate(self, request, key):  # the session middleware already did the work
        return request.user if request.user.is_authenticated else None


def anonymous(request):
    """Lets a read through without credentials; the selectors then apply the guest's permissions."""
    return AnonymousUser()


token_auth = TokenAuth()
session_auth = SessionAuth()
MEMBER_AUTH = [token_auth, session_auth]
READ_AUTH = [token_auth, session_auth, anonymous]

"""Domain errors. Views turn them into a message on the page; the API into a 4xx JSON error."""

from django.core.exceptions import PermissionDenied  # noqa: F401  (re-exported for callers)


class ForumError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message, *, code=None, field=None):
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code
        self.field = field


class InvalidInput(ForumError):
    status = 400
    code = "invalid"


class TooLarge(InvalidInput):
    """An upload over the size limit (HTTP 413)."""

    status = 413
    code = "too_large"


class NotAllowed(ForumError):
    """The actor may not do this (a 403 that carries a message a person can act on)."""

    status = 403
    code = "forbidden"


class Conflict(ForumError):
    status = 409
    code = "conflict"


class RateLimited(ForumError):
    status = 429
    code = "rate_limited"

    def __init__(self, message, *, retry_after, code=None):
        super().__init__(message, code=code)
        self.retry_after = int(retry_after)

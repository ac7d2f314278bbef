"""Keep secrets in addresses out of the logs: password-reset keys, e-mail confirmation keys and
token-like query parameters.

A password-reset link is a bearer credential until it is used. It reaches logs in three ways that
this module closes: Django's `django.request` warnings name the path of a 4xx answer; the access
log of gunicorn names the request line and the Referer (the page opened from the link is the
Referer of its scripts and styles); and any logger that formats a URL. `RedactSecretsFilter` sits
on the console handler of settings.LOGGING (every record passes it); config/gunicorn_logger.py uses
`redact` on every atom of the access log. Account mail itself can never be printed in production:
the settings refuse the console and file mail backends there."""

import logging
import re

REDACTED = "[redacted]"
_PATTERNS = [
    # allauth: /accounts/password/reset/key/<uidb36>-<key>/ and /accounts/confirm-email/<key>/
    (re.compile(r"(/password/reset/key/)(?!done/)[^/\s?#\"']+"), r"\1" + REDACTED),
    (re.compile(r"(/confirm-email/)[^/\s?#\"']+"), r"\1" + REDACTED),
    # ?key=..., &token=..., code=..., password=..., in URLs or form dumps
    (re.compile(r"((?:^|[?&;\s])(?:key|token|code|password|secret|access_token)=)[^&\s\"'#]+", re.I),
     r"\1" + REDACTED),
]


def redact(text):
    if not isinstance(text, str) or not text:
        return text
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecretsFilter(logging.Filter):
    """Rewrite the record's message with the secrets taken out (never drops a record)."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # a record whose args do not fit its format: leave it to the formatter
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True

"""The one check for every `next=` redirect: a local address of this site, or the fallback."""

from urllib.parse import unquote

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, url, default=None):
    """`url` when it points at this site (same host, and https when the request is), else `default`.
    Django's check refuses //evil, /\\evil, \\\\evil, https:evil and other hosts; the percent-decoded form
    must pass too, so an encoded //evil is refused even where a client would decode it."""
    url = str(url or "").strip()
    hosts, https = {request.get_host()}, request.is_secure()
    if url and all(url_has_allowed_host_and_scheme(form, allowed_hosts=hosts, require_https=https)
                   and not form.lstrip().startswith(("//", "/\\", "\\"))
                   for form in (url, unquote(url))):
        return url
    return default

"""The django.contrib.sites record (settings.SITE_ID) follows the settings: its domain is the host of
SITE_URL, its name SITE_NAME. allauth names the site from it in every account mail (the subject's
"[Huoli 活力]" prefix, "来自Huoli 活力的问候"), and mailings.render names the sender after it; left
alone, Django's own migration leaves "example.com" in both.

site_sync runs after every `migrate` (post_migrate, connected in forum.apps), so a fresh database,
the test database and a deployment that changes SITE_URL or SITE_NAME all get it right without a
manual step; it writes only when something differs."""

from email.utils import formataddr, parseaddr
from urllib.parse import urlsplit

from django.conf import settings


def site_values():
    """What the Site record should hold, from the settings."""
    return {"domain": urlsplit(settings.SITE_URL).netloc or "localhost", "name": settings.SITE_NAME}


def site_sync(*, site_model=None, using="default"):
    """Create or update Site(pk=SITE_ID) from the settings (idempotent). True when it wrote."""
    if site_model is None:
        from django.contrib.sites.models import Site as site_model
    values = site_values()
    manager = site_model.objects.db_manager(using)
    site = manager.filter(pk=settings.SITE_ID).first()
    if site is not None and all(getattr(site, field) == value for field, value in values.items()):
        return False
    if site is None:
        manager.create(pk=settings.SITE_ID, **values)
    else:
        manager.filter(pk=site.pk).update(**values)
    from django.contrib.sites.models import Site

    Site.objects.clear_cache()  # get_current() caches the record per process
    return True


def mail_sender():
    """The From of every mail the site sends (allauth's account mails, mailings' digests and
    notices): the Site's name and the address of DEFAULT_FROM_EMAIL."""
    from django.contrib.sites.models import Site

    name = Site.objects.get_current().name or "Huoli"
    return formataddr((name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))

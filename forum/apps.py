from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumConfig(AppConfig):
    name = "forum"
    verbose_name = _("Forum")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import audit_labels

        audit_labels.register()
        # the Site record follows SITE_URL and SITE_NAME (forum/lib/site.py); after the sites app's
        # own post_migrate, which creates "example.com" (forum is listed after django.contrib.sites)
        post_migrate.connect(_sync_site, sender=self, dispatch_uid="forum_site_sync")


def _sync_site(sender, using="default", apps=None, **kwargs):
    from .lib.site import site_sync

    try:
        site_model = apps.get_model("sites", "Site") if apps is not None else None
    except LookupError:  # the sites app's tables are not there (migrated back to zero)
        return
    site_sync(site_model=site_model, using=using)

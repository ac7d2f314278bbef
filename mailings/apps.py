from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailingsConfig(AppConfig):
    name = "mailings"
    verbose_name = _("Email notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import hooks

        hooks.connect()

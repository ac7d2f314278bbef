from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Private messages")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import hooks

        hooks.connect()

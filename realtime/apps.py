from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RealtimeConfig(AppConfig):
    name = "realtime"
    verbose_name = _("Realtime")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import hooks

        hooks.connect()

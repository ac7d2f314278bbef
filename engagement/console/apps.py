from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    name = "engagement.console"
    label = "console"
    verbose_name = _("Operator's console")
    default_auto_field = "django.db.models.BigAutoField"
    # no hooks.py: the console reads daily rollups a beat task writes; it listens to no event

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LotteriesConfig(AppConfig):
    name = "engagement.lotteries"
    label = "lotteries"
    verbose_name = _("Lotteries")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import hooks  # noqa: F401

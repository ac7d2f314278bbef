from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BountiesConfig(AppConfig):
    name = "engagement.bounties"
    label = "bounties"
    verbose_name = _("Bounties")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import hooks  # noqa: F401

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowsConfig(AppConfig):
    name = "engagement.follows"
    label = "follows"
    verbose_name = _("Following")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import hooks

        hooks.connect()

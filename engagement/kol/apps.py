from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KolConfig(AppConfig):
    name = "engagement.kol"
    label = "kol"
    verbose_name = _("KOL discovery")
    default_auto_field = "django.db.models.BigAutoField"
    # no hooks.py: scoring is a batch job over the database; it listens to no forum event

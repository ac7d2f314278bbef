"""The words for the audit entries the CMS writes (audit.labels)."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "cms.digest_propose": _("Propose the weekly digest"),
}


def register():
    from audit import labels

    labels.register(LABELS)

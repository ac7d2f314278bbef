"""Server-side drafts: what a member was writing in one place, kept until it is published or discarded."""

import re

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# a place is where the composer is: "new:<category id or 0>" (a new topic) or "reply:<topic id>"
PLACE_RE = re.compile(r"^(new|reply):(\d{1,12})$")


class Draft(models.Model):
    """One per member per place (a unique constraint): saving again replaces it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts",
                             verbose_name=_("member"))
    place = models.CharField(_("place"), max_length=40)
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("body"), blank=True)
    category = models.ForeignKey("forum.Category", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("category"))
    updated_at = models.DateTimeField(_("saved at"), default=timezone.now)

    class Meta:
        app_label = "forum"
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        constraints = [models.UniqueConstraint(fields=["user", "place"], name="draft_one_per_place")]

    def __str__(self):
        return f"{self.user_id}:{self.place}"

"""Badges (勋章): definitions with a built-in rule or manual, and the badges members hold."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Badge(models.Model):
    class Rule(models.TextChoices):
        MANUAL = "manual", _("manual (granted by moderators)")
        FIRST_TOPIC = "first_topic", _("first topic")
        FIRST_FEATURED = "first_featured", _("first featured post")
        UPVOTES_RECEIVED = "upvotes_received", _("upvotes received (threshold)")
        CHECKIN_STREAK = "checkin_streak", _("check-in streak of N days (threshold)")
        LEVEL_REACHED = "level_reached", _("reached level N (threshold)")
        KOL = "kol", _("KOL (set by moderators until KOL scoring exists)")

    AUTOMATIC = {Rule.FIRST_TOPIC, Rule.FIRST_FEATURED, Rule.UPVOTES_RECEIVED, Rule.CHECKIN_STREAK,
                 Rule.LEVEL_REACHED}
    GRANTABLE = {Rule.MANUAL, Rule.KOL}
    NEEDS_THRESHOLD = {Rule.UPVOTES_RECEIVED, Rule.CHECKIN_STREAK, Rule.LEVEL_REACHED}

    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=40)
    description = models.CharField(_("description"), max_length=200)
    icon = models.CharField(_("icon"), max_length=8, default="🏅", help_text=_("An emoji or a short symbol."))
    image = models.ImageField(_("image"), upload_to="badges/", blank=True,
                              help_text=_("Optional; shown instead of the icon."))
    rule = models.CharField(_("rule"), max_length=20, choices=Rule.choices, default=Rule.MANUAL)
    threshold = models.PositiveIntegerField(_("threshold"), null=True, blank=True,
                                            help_text=_("N for the rules that need one."))
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("badge")
        verbose_name_plural = _("badges")

    def __str__(self):
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.rule in self.NEEDS_THRESHOLD and not self.threshold:
            raise ValidationError({"threshold": _("This rule needs a threshold.")})

    def get_absolute_url(self):
        return reverse("engagement:badge", args=[self.slug])

    @property
    def is_automatic(self):
        return self.rule in self.AUTOMATIC


class MemberBadge(models.Model):
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member_badges")
    badge = models.ForeignKey(Badge, on_delete=models.CASCADE, related_name="holders")
    granted_at = models.DateTimeField(default=timezone.now)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    reason = models.CharField(max_length=500, blank=True)
    # a revoked badge keeps its row, so the automatic rules never hand it back
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    revoke_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-granted_at"]
        verbose_name = _("member badge")
        verbose_name_plural = _("member badges")
        constraints = [models.UniqueConstraint(fields=["member", "badge"], name="member_badge_once")]
        indexes = [
            models.Index(fields=["badge", "-granted_at"], name="member_badge_recent",
                         condition=Q(revoked_at__isnull=True)),
        ]

    @property
    def is_active(self):
        return self.revoked_at is None


class BadgeChoice(models.Model):
    """The badge a member chose to show next to their name."""

    member = models.OneToOneField(settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE,
                                  related_name="badge_choice")
    badge = models.ForeignKey(Badge, on_delete=models.CASCADE, related_name="+")

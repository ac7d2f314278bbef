"""Member levels (等级) on lifetime earned points, so spending never demotes, with the privileges
each level unlocks. Enforced in engagement.levels.permissions (plugged into forum.hooks.can_post)."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import AppendOnlyModel


class Level(models.Model):
    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    name = models.CharField(_("name"), max_length=30)
    min_points = models.PositiveIntegerField(_("lifetime points needed"), unique=True)
    color = models.CharField(_("colour"), max_length=7, default="#868e96",
                             validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A hex colour such as #d9480f."))])
    posts_per_hour = models.PositiveIntegerField(
        _("posts per hour"), null=True, blank=True,
        help_text=_("Topics and replies per hour; empty: only the site-wide limit applies."),
    )
    votes_per_day = models.PositiveIntegerField(
        _("votes per day"), null=True, blank=True,
        help_text=_("Up and down votes per day; empty: only the site-wide limit applies."),
    )
    reports_per_day = models.PositiveIntegerField(
        _("reports per day"), null=True, blank=True,
        help_text=_("Reports (flags) per day; empty: only the site-wide limit applies."),
    )
    max_links = models.PositiveIntegerField(_("links per post"), null=True, blank=True,
                                            help_text=_("Empty: unlimited."))
    max_images = models.PositiveIntegerField(_("images per post"), null=True, blank=True,
                                             help_text=_("Empty: unlimited."))
    can_create_polls = models.BooleanField(_("may create polls"), default=False)
    report_weight = models.PositiveSmallIntegerField(_("report weight"), default=1,
                                                     help_text=_("How much a report by this member counts."))
    can_apply_moderator = models.BooleanField(_("may apply to moderate"), default=False)

    class Meta:
        ordering = ["min_points"]
        verbose_name = _("level")
        verbose_name_plural = _("levels")

    def __str__(self):
        return f"Lv{self.number} {self.name}"


class MemberLevel(models.Model):
    """The member's current level (kept by engagement.levels.services.level_sync)."""

    member = models.OneToOneField(settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE,
                                  related_name="member_level")
    level_number = models.PositiveSmallIntegerField()
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("member level")
        verbose_name_plural = _("member levels")


class LevelChange(AppendOnlyModel):
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="level_changes")
    old_number = models.PositiveSmallIntegerField(null=True, blank=True)
    new_number = models.PositiveSmallIntegerField()
    lifetime_earned = models.IntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("level change")
        verbose_name_plural = _("level changes")
        indexes = [models.Index(fields=["member", "-created_at"], name="level_change_member")]

"""Member lifecycle: each member's current stage (recomputed daily), the daily counts per stage
(the dashboard's chart), recall templates, campaigns and their recipients."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Stage(models.IntegerChoices):
    NEW = 1, _("new")
    ACTIVE = 2, _("active")
    AT_RISK = 3, _("at risk")
    CHURNED = 4, _("churned")
    RECALLED = 5, _("recalled")


class MemberStage(models.Model):
    member = models.OneToOneField(settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE,
                                  related_name="lifecycle")
    stage = models.PositiveSmallIntegerField(_("stage"), choices=Stage.choices)
    since = models.DateField(_("in this stage since"))
    classified_on = models.DateField()
    last_active_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    baseline_rate = models.FloatField(_("usual active days per week"), default=0)
    recent_rate = models.FloatField(_("active days per week lately"), default=0)
    # what they used to do (lifetime): posts and topics written, votes given, their main category
    posts = models.PositiveIntegerField(default=0)
    topics = models.PositiveIntegerField(default=0)
    votes = models.PositiveIntegerField(default=0)
    main_category = models.ForeignKey("forum.Category", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")

    class Meta:
        verbose_name = _("member stage")
        verbose_name_plural = _("member stages")
        indexes = [models.Index(fields=["stage", "-last_active_at"], name="lifecycle_stage_recent")]


class StageDaily(models.Model):
    day = models.DateField()
    stage = models.PositiveSmallIntegerField(choices=Stage.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day", "stage"]
        constraints = [models.UniqueConstraint(fields=["day", "stage"], name="lifecycle_stage_daily_once")]


class RecallTemplate(models.Model):
    """The text of a recall message. Placeholders: {name}, {site_name}, {last_active}, {bonus},
    {url}."""

    name = models.CharField(_("name"), max_length=80)
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("message"), max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("recall template")
        verbose_name_plural = _("recall templates")

    def __str__(self):
        return self.name


class RecallCampaign(models.Model):
    name = models.CharField(_("name"), max_length=120)
    template = models.ForeignKey(RecallTemplate, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="campaigns")
    subject = models.CharField(max_length=150)  # the text as sent
    body = models.TextField()
    stage = models.PositiveSmallIntegerField(choices=Stage.choices)
    filters = models.JSONField(default=dict, blank=True)
    bonus_points = models.PositiveIntegerField(_("bonus points on return"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    recipient_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("recall campaign")
        verbose_name_plural = _("recall campaigns")

    def __str__(self):
        return self.name


class RecallRecipient(models.Model):
    campaign = models.ForeignKey(RecallCampaign, on_delete=models.CASCADE, related_name="recipients")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recalls")
    stage = models.PositiveSmallIntegerField(choices=Stage.choices)
    notified_at = models.DateTimeField(default=timezone.now)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # the first activity within RETURN_DAYS of the notification
    returned_at = models.DateTimeField(null=True, blank=True)
    bonus_awarded = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "member"], name="recall_once_per_campaign")]
        indexes = [models.Index(fields=["member", "returned_at"], name="recall_member_pending")]

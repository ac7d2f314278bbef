"""Member groups (小组), their memberships and applications."""

from django.conf import settings
from django.contrib.auth.models import Group as AuthGroup
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MemberGroup(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public: everyone may read")
        MEMBERS = "members", _("Members-only content")
        HIDDEN = "hidden", _("Hidden: only members see the group")

    class Admission(models.TextChoices):
        OPEN = "open", _("Open: anyone may join")
        APPLICATION = "application", _("By application")
        INVITATION = "invitation", _("By invitation only")

    name = models.CharField(_("name"), max_length=60)
    slug = models.SlugField(_("slug"), max_length=60, unique=True, allow_unicode=True)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    rules_source = models.TextField(_("rules"), blank=True, help_text=_("Markdown."))
    rules_html = models.TextField(editable=False, blank=True)
    cover = models.ForeignKey("forum.UploadedImage", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("cover image"))
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices,
                                  default=Visibility.PUBLIC)
    admission = models.CharField(_("admission"), max_length=12, choices=Admission.choices,
                                 default=Admission.APPLICATION)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("main group"))
    questions = models.JSONField(_("application questions"), default=list, blank=True)
    # the group's topic space and its members (see the package docstring)
    category = models.OneToOneField("forum.Category", on_delete=models.PROTECT, related_name="member_group")
    members_group = models.OneToOneField(AuthGroup, on_delete=models.PROTECT, related_name="+")
    handbook_url = models.CharField(_("deputy handbook"), max_length=300, blank=True,
                                    help_text=_("The handbook page a new deputy owner must read and acknowledge."))
    member_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("groups:detail", args=[self.slug])

    @property
    def is_members_only(self):
        return self.visibility != self.Visibility.PUBLIC


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("owner")
        DEPUTY = "deputy", _("deputy owner")
        MEMBER = "member", _("member")

    class Via(models.TextChoices):
        OPEN = "open", _("joined")
        APPLICATION = "application", _("application")
        INVITATION = "invitation", _("invitation")
        PROMOTION = "promotion", _("promotion")
        FOUNDER = "founder", _("founder")

    group = models.ForeignKey(MemberGroup, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships")
    role = models.CharField(_("role"), max_length=8, choices=Role.choices, default=Role.MEMBER)
    via = models.CharField(max_length=12, choices=Via.choices, default=Via.OPEN)
    joined_at = models.DateTimeField(default=timezone.now)
    muted_until = models.DateTimeField(_("muted until"), null=True, blank=True)
    # a deputy's powers turn on when they acknowledge the group's handbook, and stop while suspended
    handbook_acknowledged_at = models.DateTimeField(null=True, blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [models.UniqueConstraint(fields=["group", "member"], name="group_membership_uniq")]
        indexes = [models.Index(fields=["member", "group"], name="membership_member")]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self):
        return f"{self.member} @ {self.group}"

    @property
    def has_powers(self):
        if self.role == self.Role.OWNER:
            return True
        return (self.role == self.Role.DEPUTY and self.handbook_acknowledged_at is not None
                and self.suspended_at is None)

    @property
    def is_muted(self):
        return self.muted_until is not None and self.muted_until > timezone.now()


class Application(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrawn")

    group = models.ForeignKey(MemberGroup, on_delete=models.CASCADE, related_name="applications")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_applications")
    answers = models.JSONField(default=list, blank=True)  # [{"question": ..., "answer": ...}]
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["group", "applicant"], condition=Q(status="pending"),
                                               name="group_application_one_pending")]
        indexes = [models.Index(fields=["group", "status", "-created_at"], name="application_queue")]
        verbose_name = _("group application")
        verbose_name_plural = _("group applications")

    def __str__(self):
        return f"{self.applicant} → {self.group} ({self.status})"

    def get_absolute_url(self):
        return reverse("groups:application", args=[self.group.slug, self.pk])


class PromotionProposal(models.Model):
    """A member of a sub-group who meets the ladder's rules (engagement.ladder evaluates them), proposed to
    the main group's owners, who promote with one click or dismiss."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        PROMOTED = "promoted", _("promoted")
        DISMISSED = "dismissed", _("dismissed")

    group = models.ForeignKey(MemberGroup, on_delete=models.CASCADE, related_name="proposals")  # the main group
    source = models.ForeignKey(MemberGroup, null=True, on_delete=models.SET_NULL, related_name="+")  # the sub-group
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_proposals")
    evidence = models.JSONField(default=dict, blank=True)  # what made them qualify: {"days": 41, "featured": 3, ...}
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["group", "member"], condition=Q(status="proposed"),
                                               name="group_proposal_one_open")]
        verbose_name = _("promotion proposal")
        verbose_name_plural = _("promotion proposals")

    def __str__(self):
        return f"{self.member} → {self.group} ({self.status})"


class RecruitmentRound(models.Model):
    """Staff recruit deputy owners for a group: members who meet the requirements apply, staff review, and an
    appointed deputy's powers turn on once they acknowledge the handbook linked here."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    group = models.ForeignKey(MemberGroup, on_delete=models.CASCADE, related_name="rounds")
    title = models.CharField(_("title"), max_length=120)
    min_level = models.PositiveSmallIntegerField(_("minimum level"), default=0)
    min_days = models.PositiveSmallIntegerField(_("days in the group"), default=0)
    min_posts_30d = models.PositiveSmallIntegerField(_("posts in the group, last 30 days"), default=0)
    handbook_url = models.CharField(_("deputy handbook"), max_length=300, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("recruitment round")
        verbose_name_plural = _("recruitment rounds")

    def __str__(self):
        return self.title


class DeputyCandidacy(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPOINTED = "appointed", _("appointed")
        REJECTED = "rejected", _("rejected")

    round = models.ForeignKey(RecruitmentRound, on_delete=models.CASCADE, related_name="candidacies")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deputy_candidacies")
    motivation = models.TextField(max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "member"], name="candidacy_once_per_round")]
        verbose_name = _("deputy candidacy")
        verbose_name_plural = _("deputy candidacies")


class GroupEvent(models.Model):
    """A recurring group session (a weekly knowledge share every Tuesday 20:00 Asia/Shanghai): the beat task
    opens each occurrence's topic `lead_hours` before it starts and reminds the members; chosen members
    (`seeds`) are told `seed_hours` earlier still, so that their example answers are there first."""

    group = models.ForeignKey(MemberGroup, on_delete=models.CASCADE, related_name="events")
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("topic text"), max_length=5000)
    weekday = models.PositiveSmallIntegerField(_("weekday"), help_text=_("0 Monday … 6 Sunday"))
    hour = models.PositiveSmallIntegerField(_("hour"))
    minute = models.PositiveSmallIntegerField(_("minute"), default=0)
    time_zone = models.CharField(_("time zone"), max_length=40, default="Asia/Shanghai")
    lead_hours = models.PositiveSmallIntegerField(_("open the topic this many hours before"), default=24)
    seed_hours = models.PositiveSmallIntegerField(_("early access, hours before that"), default=0)
    seeds = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+",
                                   verbose_name=_("early access members"))
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["weekday", "hour", "minute", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6, hour__lte=23, minute__lte=59), name="group_event_when"),
        ]
        verbose_name = _("group event")
        verbose_name_plural = _("group events")

    def __str__(self):
        return self.title


class GroupEventOccurrence(models.Model):
    """One session of a recurring event: at most one per start time (the task is safe to run twice)."""

    event = models.ForeignKey(GroupEvent, on_delete=models.CASCADE, related_name="occurrences")
    starts_at = models.DateTimeField()
    topic = models.ForeignKey("forum.Topic", null=True, on_delete=models.SET_NULL, related_name="+")
    seeded_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [models.UniqueConstraint(fields=["event", "starts_at"], name="group_occurrence_once")]

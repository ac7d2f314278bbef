"""Tables of the moderation domain (app label "forum"; imported at the end of forum/models.py)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audit.models import AppendOnlyModel


class ModerationItem(models.Model):
    """One entry of the moderation queue: the reports on one post, topic or member (kind=report),
    or one post held for approval (kind=approval). Reports on the same object while an item is
    open join that item and add their weight."""

    class Kind(models.TextChoices):
        REPORT = "report", _("report")
        APPROVAL = "approval", _("approval")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("report state", "open")
        RESOLVED = "resolved", _("resolved")

    class Resolution(models.TextChoices):
        UPHELD = "upheld", _("upheld: action taken")
        DISMISSED = "dismissed", pgettext_lazy("report state", "dismissed")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.REPORT)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    post = models.ForeignKey("forum.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey("forum.Topic", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+", help_text=_("The reported member (member reports)."))
    category = models.ForeignKey("forum.Category", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", help_text=_("Empty for member reports: staff only."))
    reason = models.CharField(_("reason"), max_length=20, blank=True,
                              help_text=_("The most reported reason, or the spam rule that held a post."))
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    weight = models.PositiveIntegerField(_("weight"), default=0)
    report_count = models.PositiveIntegerField(default=0)
    auto_hidden = models.BooleanField(_("hidden automatically"), default=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    claimed_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(_("resolution"), max_length=10, choices=Resolution.choices, blank=True)
    resolution_note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["-weight", "created_at"]
        verbose_name = _("moderation queue item")
        verbose_name_plural = _("moderation queue")
        indexes = [models.Index(fields=["status", "kind", "category"], name="moditem_queue")]
        constraints = [
            models.UniqueConstraint(fields=["kind", "post"], condition=Q(status="open", post__isnull=False),
                                    name="moditem_one_open_per_post"),
            models.UniqueConstraint(fields=["kind", "topic"],
                                    condition=Q(status="open", topic__isnull=False, post__isnull=True),
                                    name="moditem_one_open_per_topic"),
            models.UniqueConstraint(fields=["kind", "member"],
                                    condition=Q(status="open", member__isnull=False, topic__isnull=True,
                                                post__isnull=True),
                                    name="moditem_one_open_per_member"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def target_label(self):
        if self.post_id:
            return "post"
        if self.topic_id:
            return "topic"
        return "member"


class ModerationItemEvent(AppendOnlyModel):
    """The history of one queue item: reported, claimed, released, resolved, approved ..."""

    item = models.ForeignKey(ModerationItem, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    action = models.CharField(max_length=20)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


class Report(models.Model):
    """One member's report (flag). Its weight comes from the reporter's level (forum.hooks.report_weight)."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        ABUSE = "abuse", _("Harassment or abuse")
        OFF_TOPIC = "off_topic", _("Off topic")
        ILLEGAL = "illegal", _("Illegal content")
        OTHER = "other", _("Something else")

    item = models.ForeignKey(ModerationItem, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_made")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    message = models.CharField(_("message"), max_length=500, blank=True)
    weight = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "reporter"], name="report_one_per_member_item")]


class MemberSanction(models.Model):
    """A silence or a ban, temporary (ends_at) or permanent. User.banned_at/banned_until and
    silenced_* cache the current one so enforcing costs no query."""

    class Kind(models.TextChoices):
        SILENCE = "silence", _("silence")
        BAN = "ban", _("ban")

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sanctions")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=500)
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True, help_text=_("Empty: permanent."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    lift_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")

    def __str__(self):
        return f"{self.get_kind_display()} {self.member_id}"

    @property
    def is_permanent(self):
        return self.ends_at is None


class CategoryModerator(models.Model):
    """A delegated category moderator (版主): powers only inside `category` while active."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderated")
    category = models.ForeignKey("forum.Category", on_delete=models.CASCADE, related_name="moderators")
    appointed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    appointed_at = models.DateTimeField(default=timezone.now)
    is_active = models.BooleanField(default=True)
    demoted_at = models.DateTimeField(null=True, blank=True)
    demoted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    demotion_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["category", "appointed_at"]
        verbose_name = _("category moderator")
        verbose_name_plural = _("category moderators")
        constraints = [models.UniqueConstraint(fields=["member", "category"], condition=Q(is_active=True),
                                               name="catmod_one_active")]

    def __str__(self):
        return f"{self.member_id}@{self.category_id}"


class ModeratorApplication(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mod_applications")
    category = models.ForeignKey("forum.Category", on_delete=models.CASCADE, related_name="+")
    motivation = models.TextField(_("why you want to moderate"), max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("moderator application")
        verbose_name_plural = _("moderator applications")
        constraints = [models.UniqueConstraint(fields=["member", "category"], condition=Q(status="pending"),
                                               name="modapp_one_pending")]


class SpamWord(models.Model):
    """A known-bad word or phrase: a post containing one waits in the approval queue."""

    word = models.CharField(_("word or phrase"), max_length=100, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["word"]
        verbose_name = _("banned word")
        verbose_name_plural = _("banned words")

    def __str__(self):
        return self.word


class StaffNote(models.Model):
    """A note staff keep about a member (a warning given by private message, a pattern seen across reports),
    read on the member's moderation page by the other moderators; never shown to the member. Written by
    forum.moderation.notes.note_create, which leaves an audit entry."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_notes",
                               verbose_name=_("member"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("author"))
    text = models.TextField(_("note"), max_length=2000)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("staff note")
        verbose_name_plural = _("staff notes")
        indexes = [models.Index(fields=["member", "-created_at"], name="staffnote_member_recent")]

    def __str__(self):
        return f"{self.member_id}: {self.text[:60]}"

"""Private messages (私信): conversations between two members or a small group.

A conversation's messages are its own numbered log: Message.seq counts up from 1 with no gaps
(Conversation.message_seq holds the last number handed out, taken under the conversation's row
lock), so a reader that reconnects asks for what came after the last number it saw, exactly as
topic readers do (realtime.consumers.SequencedConsumer). Leaving is a message of its own kind in
that log, so every reader's access is checked again when someone leaves.

Staff have no page, admin or API that reads a conversation: a moderator sees a message only when a
participant reported it, and then only that message and its neighbours (messaging.selectors)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Conversation(models.Model):
    subject = models.CharField(_("subject"), max_length=120, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now, db_index=True)
    message_seq = models.PositiveBigIntegerField(default=0)  # the last Message.seq handed out

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")

    def __str__(self):
        return f"conversation {self.pk}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("messaging:conversation", args=[self.pk])


class Participant(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="participants")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pm_participations")
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)
    last_read_seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["conversation", "member"], name="pm_participant_uniq")]
        indexes = [models.Index(fields=["member", "left_at"], name="pm_participant_member")]

    def __str__(self):
        return f"{self.member_id} in {self.conversation_id}"

    @property
    def is_active(self):
        return self.left_at is None


class Message(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", _("message")
        LEFT = "left", _("left the conversation")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TEXT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    source = models.TextField(blank=True)
    html = models.TextField(blank=True, editable=False)
    quote = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    is_hidden = models.BooleanField(default=False)  # hidden by a moderator after a report

    class Meta:
        ordering = ["conversation", "seq"]
        constraints = [models.UniqueConstraint(fields=["conversation", "seq"], name="pm_message_seq_uniq")]

    def __str__(self):
        return f"message {self.conversation_id}#{self.seq}"


class MemberBlock(models.Model):
    """`member` blocks or ignores `target`. Ignore: the target's messages are hidden from the member
    everywhere (pages, API, live, unread counts, mail). Block: that, and the target may not start a
    conversation with the member nor write in a one-to-one conversation with them."""

    class Kind(models.TextChoices):
        BLOCK = "block", _("block")
        IGNORE = "ignore", _("ignore")

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pm_blocks")
    target = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.BLOCK)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "target"], name="pm_block_uniq"),
            models.CheckConstraint(condition=~models.Q(member=models.F("target")), name="pm_block_not_self"),
        ]


class MessageReport(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        DISMISSED = "dismissed", _("dismissed")
        HIDDEN = "hidden", _("message hidden")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["message", "reporter"], name="pm_report_uniq")]

    def __str__(self):
        return f"report {self.pk} on message {self.message_id}"

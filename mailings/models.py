"""Email notifications: each member's choice per kind of mail, the items waiting to be mailed, and
the send record that makes every mail go out at most once.

A MailItem is one thing worth a mail (a reply, a private message ...) for one member, due at once
(after a short delay, so a member reading the site gets no mail about what they already saw) or at
their next daily / weekly summary. A MailSend row is written, under a unique (member, key), *before*
the mail is handed to the SMTP server: a run that crashes and is started again skips every key
already recorded, so nobody gets the same mail twice (at worst one mail of a crashed batch is lost
and marked "failed" for an operator)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Frequency(models.TextChoices):
    IMMEDIATELY = "immediately", _("immediately")
    DAILY = "daily", _("daily summary")
    WEEKLY = "weekly", _("weekly summary")
    NEVER = "never", pgettext_lazy("mail frequency", "never")


class Kind(models.TextChoices):
    REPLY = "reply", _("replies in topics I follow")
    QUOTE = "quote", _("replies to my posts")
    MENTION = "mention", _("mentions of me")
    PRIVATE_MESSAGE = "pm", _("private messages")
    FEATURED = "featured", _("my posts featured by editors")
    PROMOTION = "promotion", _("level promotions")
    BOUNTY = "bounty", _("bounties and tips")
    SHOP = "shop", _("shop orders")
    SYSTEM = "system", _("other notices (badges, tasks, lotteries, moderation)")
    DIGEST = "digest", _("the weekly digest")


# sensible defaults: what is addressed to me personally at once, the rest in summaries
DEFAULTS = {
    Kind.REPLY: Frequency.DAILY, Kind.QUOTE: Frequency.IMMEDIATELY, Kind.MENTION: Frequency.IMMEDIATELY,
    Kind.PRIVATE_MESSAGE: Frequency.IMMEDIATELY, Kind.FEATURED: Frequency.IMMEDIATELY,
    Kind.PROMOTION: Frequency.WEEKLY, Kind.BOUNTY: Frequency.IMMEDIATELY, Kind.SHOP: Frequency.IMMEDIATELY,
    Kind.SYSTEM: Frequency.WEEKLY, Kind.DIGEST: Frequency.WEEKLY,
}
# the digest is weekly or never
DIGEST_CHOICES = (Frequency.WEEKLY, Frequency.NEVER)


class MailSettings(models.Model):
    """Per member: the language their mail is written in."""

    member = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_settings")
    language = models.CharField(_("language of my emails"), max_length=10, default="zh-hans",
                                choices=settings.LANGUAGES)


class MailPreference(models.Model):
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_preferences")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    frequency = models.CharField(max_length=20, choices=Frequency.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "kind"], name="mail_pref_uniq")]


class MailItem(models.Model):
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    frequency = models.CharField(max_length=20, choices=Frequency.choices)
    ref_type = models.CharField(max_length=20)  # "notification" or "message"
    ref_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(db_index=True)
    done_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, blank=True)  # sent, read (seen on the site), gone, unsubscribed

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "ref_type", "ref_id"], name="mail_item_uniq")]
        indexes = [models.Index(fields=["done_at", "due_at"], name="mail_item_due")]


class MailSend(models.Model):
    class Status(models.TextChoices):
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("skipped")

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=80)  # "item:12", "summary:daily:12-40", "digest:2026-11-30"
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENDING)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "key"], name="mail_send_once")]

    def __str__(self):
        return f"{self.key} to {self.member_id}: {self.status}"

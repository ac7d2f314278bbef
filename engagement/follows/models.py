"""Following (关注): a member follows another member, a category or a tag, and reads what they post
on /feed/. One row per follow with exactly one target; partial unique constraints make a follow
count once whatever the number of concurrent clicks, and a member can never follow themselves."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# exactly one of the three targets is set
_ONE_TARGET = (
    Q(member__isnull=False, category__isnull=True, tag__isnull=True)
    | Q(member__isnull=True, category__isnull=False, tag__isnull=True)
    | Q(member__isnull=True, category__isnull=True, tag__isnull=False)
)


class Follow(models.Model):
    MEMBER, CATEGORY, TAG = "member", "category", "tag"

    follower = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows",
                                 verbose_name=_("follower"))
    member = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="followers", verbose_name=_("member"))
    category = models.ForeignKey("forum.Category", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="followers", verbose_name=_("category"))
    tag = models.ForeignKey("forum.Tag", null=True, blank=True, on_delete=models.CASCADE,
                            related_name="followers", verbose_name=_("tag"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.CheckConstraint(condition=_ONE_TARGET, name="follow_one_target"),
            models.CheckConstraint(condition=~Q(member=F("follower")), name="follow_not_self"),
            models.UniqueConstraint(fields=["follower", "member"], condition=Q(member__isnull=False),
                                    name="follow_member_uniq"),
            models.UniqueConstraint(fields=["follower", "category"], condition=Q(category__isnull=False),
                                    name="follow_category_uniq"),
            models.UniqueConstraint(fields=["follower", "tag"], condition=Q(tag__isnull=False),
                                    name="follow_tag_uniq"),
        ]

    def __str__(self):
        return f"{self.follower_id} -> {self.kind}:{self.target_id}"

    @property
    def kind(self):
        if self.member_id:
            return self.MEMBER
        return self.CATEGORY if self.category_id else self.TAG

    @property
    def target_id(self):
        return self.member_id or self.category_id or self.tag_id

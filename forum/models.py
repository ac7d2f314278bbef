"""The UGC core: members, categories, topics, posts, votes, tags, bookmarks, subscriptions and
notifications. Counters on Category/Topic/User are caches kept by forum.services with F()."""

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .validators import username_validator


class User(AbstractUser):
    username = models.CharField(
        _("username"), max_length=30, unique=True, validators=[username_validator],
        error_messages={"unique": _("That username is taken.")},
    )
    display_name = models.CharField(_("display name"), max_length=40, blank=True)
    avatar = models.ImageField(_("avatar"), upload_to="avatars/%Y/%m/", blank=True)
    bio = models.TextField(_("bio"), max_length=500, blank=True)
    topic_count = models.PositiveIntegerField(default=0)
    post_count = models.PositiveIntegerField(default=0)
    upvotes_received = models.IntegerField(default=0)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    # moderation (forum.moderation.bans): a cache of the member's current sanction, so enforcing it
    # costs no query; the history with reasons is forum.moderation.models.MemberSanction.
    banned_at = models.DateTimeField(_("banned since"), null=True, blank=True)
    banned_until = models.DateTimeField(_("banned until"), null=True, blank=True,
                                        help_text=_("Empty with a ban date: permanent."))
    silenced_at = models.DateTimeField(_("silenced since"), null=True, blank=True)
    silenced_until = models.DateTimeField(_("silenced until"), null=True, blank=True)
    # True while the member moderates at least one category (forum.moderation.moderators)
    moderates_categories = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self):
        return self.display_name or self.username

    @property
    def name(self):
        return self.display_name or self.username

    def get_absolute_url(self):
        return reverse("forum:member", args=[self.username])

    @property
    def avatar_url(self):
        if self.avatar:
            return self.avatar.url
        return reverse("forum:avatar_default", args=[self.username])

    def _sanction_active(self, since, until, now=None):
        if since is None:
            return False
        return until is None or until > (now or timezone.now())

    @property
    def is_banned(self):
        return self._sanction_active(self.banned_at, self.banned_until)

    @property
    def is_silenced(self):
        return self._sanction_active(self.silenced_at, self.silenced_until)

    def get_session_auth_hash(self):
        """While a ban lasts the hash differs, so every existing session (pages, API, WebSockets)
        fails Django's session check and ends: a ban takes effect at once."""
        base = super().get_session_auth_hash()
        if self.is_banned:
            from django.utils.crypto import salted_hmac

            return salted_hmac("huoli.banned", f"{base}:{self.banned_at.timestamp()}", algorithm="sha256").hexdigest()
        return base

    def get_session_auth_fallback_hash(self):
        if self.is_banned:
            return
        yield from super().get_session_auth_fallback_hash()

    @property
    def avatar_hue(self):
        return int(hashlib.sha256(self.username.encode()).hexdigest()[:4], 16) % 360


class Category(models.Model):
    name = models.CharField(_("name"), max_length=60)
    slug = models.SlugField(_("slug"), max_length=60, unique=True, allow_unicode=True)
    description = models.TextField(_("description"), blank=True)
    color = models.CharField(_("colour"), max_length=7, default="#d9480f",
                             help_text=_("A CSS hex colour such as #d9480f."))
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children", verbose_name=_("parent"))
    position = models.PositiveIntegerField(_("position"), default=0)
    read_group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("readable by"), help_text=_("Empty: everyone, guests included."),
    )
    post_group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("postable by"), help_text=_("Empty: every signed-in member."),
    )
    topic_count = models.PositiveIntegerField(default=0)
    post_count = models.PositiveIntegerField(default=0)
    last_topic = models.ForeignKey("Topic", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    last_activity_at = models.DateTimeField(null=True, blank=True)
    approve_new_members = models.BooleanField(
        _("approve new members' first posts"), default=False,
        help_text=_("The first posts of new members wait in the approval queue until a moderator approves them."),
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("forum:category", args=[self.slug])


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=30, unique=True)
    slug = models.SlugField(max_length=40, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.name


class Topic(models.Model):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="topics",
                                 verbose_name=_("category"))
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(max_length=80, allow_unicode=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="topics")
    tags = models.ManyToManyField(Tag, blank=True, related_name="topics", verbose_name=_("tags"))
    is_pinned = models.BooleanField(_("pinned"), default=False)
    is_locked = models.BooleanField(_("locked"), default=False)
    is_hidden = models.BooleanField(_("hidden"), default=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_activity_at = models.DateTimeField(default=timezone.now)
    last_poster = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    post_count = models.PositiveIntegerField(default=0)  # visible or not: the highest post number
    reply_count = models.PositiveIntegerField(default=0)
    view_count = models.PositiveIntegerField(default=0)
    vote_score = models.IntegerField(default=0)  # score of the opening post
    hot_score = models.FloatField(default=0.0)
    # live-update sequence for this topic (realtime issue); only grows
    event_seq = models.PositiveBigIntegerField(default=0)
    # featured (精华) by an editor or moderator: forum.services.topic_feature
    is_featured = models.BooleanField(_("featured"), default=False)
    featured_at = models.DateTimeField(_("featured at"), null=True, blank=True)
    featured_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("featured by"))
    featured_note = models.CharField(_("editor's note"), max_length=300, blank=True)
    # moderation: a global pin shows the topic on top of every list; a pin may end by itself
    pinned_globally = models.BooleanField(_("pinned globally"), default=False)
    pinned_until = models.DateTimeField(_("pinned until"), null=True, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("merged into"))
    # the sections other apps add to the topic page ("polls", "lottery"), set through
    # forum.hooks.topic_sections.show()/hide(): a topic without any costs its page no extra query
    sections = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        indexes = [
            models.Index(fields=["category", "-is_pinned", "-last_activity_at"], name="topic_cat_latest"),
            models.Index(fields=["category", "-is_pinned", "-hot_score"], name="topic_cat_hot"),
            models.Index(fields=["category", "-is_pinned", "-vote_score"], name="topic_cat_top"),
            models.Index(fields=["-last_activity_at"], name="topic_latest"),
            models.Index(fields=["-featured_at"], condition=Q(is_featured=True), name="topic_featured"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("forum:topic", args=[self.pk, self.slug or "-"])


class Post(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="posts")
    number = models.PositiveIntegerField()  # 1 = the opening post
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posts")
    source = models.TextField(_("body"))
    html = models.TextField(editable=False)
    reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="replies")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    edit_count = models.PositiveIntegerField(default=0)
    is_hidden = models.BooleanField(default=False)
    is_deleted = models.BooleanField(default=False)
    # held in the approval queue (also is_hidden while it waits): forum.moderation.approval
    is_pending = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    upvotes = models.PositiveIntegerField(default=0)
    downvotes = models.PositiveIntegerField(default=0)
    score = models.IntegerField(default=0)
    # featured (精华) by an editor or moderator: forum.services.post_feature
    is_featured = models.BooleanField(_("featured"), default=False)
    featured_at = models.DateTimeField(_("featured at"), null=True, blank=True)
    featured_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("featured by"))
    featured_note = models.CharField(_("editor's note"), max_length=300, blank=True)

    class Meta:
        ordering = ["topic", "number"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [models.UniqueConstraint(fields=["topic", "number"], name="post_topic_number_uniq")]
        indexes = [
            models.Index(fields=["author", "-created_at"], name="post_author_recent"),
            models.Index(fields=["-featured_at"], condition=Q(is_featured=True), name="post_featured"),
        ]

    def __str__(self):
        return f"{self.topic_id}#{self.number}"

    @property
    def is_visible(self):
        return not (self.is_hidden or self.is_deleted)

    def get_absolute_url(self):
        return reverse("forum:post", args=[self.pk])


class PostRevision(models.Model):
    """Edit history: the source as it was before each edit."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    source = models.TextField()
    title = models.CharField(max_length=200, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]


class PostVote(models.Model):
    UP, DOWN = 1, -1
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="post_votes")
    value = models.SmallIntegerField(choices=[(UP, "+1"), (DOWN, "-1")])
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="vote_one_per_member"),
            models.CheckConstraint(condition=Q(value__in=[1, -1]), name="vote_value_valid"),
        ]
        indexes = [models.Index(fields=["user", "post"], name="vote_user_post")]


class Bookmark(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="bookmarks")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="bookmark_uniq")]


class TopicSubscription(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="subscriptions")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "topic"], name="subscription_uniq")]


class TopicRead(models.Model):
    """How far a member has read a topic: drives 'jump to first unread'."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")
    last_read_number = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "topic"], name="topicread_uniq")]


class Notification(models.Model):
    class Kind(models.TextChoices):
        REPLY = "reply", _("reply")
        MENTION = "mention", _("mention")
        VOTE = "vote", _("upvote")
        SYSTEM = "system", _("system")
        FEATURED = "featured", _("featured")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="+")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    message = models.CharField(max_length=300, blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"], name="notif_inbox")]


class ApiToken(models.Model):
    """A personal API token. Only the SHA-256 of the secret is stored; the secret is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_api_tokens")
    name = models.CharField(_("name"), max_length=60)
    key_prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.key_prefix}…)"


class OutboxMessage(models.Model):
    """A side effect owed after a commit (a Celery task and its arguments), written in the same
    transaction as the change that owes it (the transactional outbox, forum.outbox). It is done
    when the task has run to the end; until then the sweep sends it again after `due_at`."""

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(db_index=True)  # when the sweep may send it again
    attempts = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["due_at"], condition=Q(done_at__isnull=True), name="outbox_pending_due")]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")

    def __str__(self):
        return f"{self.task}{tuple(self.args)}"


class UploadedImage(models.Model):
    """An image a member uploaded from the composer (forum.images.image_upload): re-encoded, under a
    random name in MEDIA_ROOT/uploads/YYYY/MM/, and put in posts and messages as Markdown
    (`![](/media/uploads/...)`). The row says who uploaded it and what it weighs."""

    uploader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="uploaded_images",
                                 verbose_name=_("uploader"))
    file = models.ImageField(_("file"), upload_to="uploads/%Y/%m/")
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    bytes = models.PositiveIntegerField(_("bytes"), default=0)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["uploader", "-created_at"], name="upload_uploader_recent")]
        verbose_name = _("uploaded image")
        verbose_name_plural = _("uploaded images")

    def __str__(self):
        return self.file.name


# the composer's drafts (forum/composer/models.py) and the moderation domain's tables
# (forum/moderation/models.py) live in their sub-packages (app label "forum")
from .composer.models import Draft  # noqa: E402, F401
from .moderation.models import (  # noqa: E402, F401
    CategoryModerator,
    MemberSanction,
    ModerationItem,
    ModerationItemEvent,
    ModeratorApplication,
    Report,
    SpamWord,
    StaffNote,
)

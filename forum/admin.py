"""Django admin for the forum (/admin/).

The admin is for staff housekeeping, not a back door around the services: counters are read-only
everywhere, topics and posts are created on the site (the opening post, counters and hooks come
from forum.services), and moderation verbs (pin, lock, hide, delete, restore) are admin actions
that call the same services as the site, so the same permission checks, counters, hooks and cache
bumps apply. Votes are read-only (the post's score is a cache of them).

Social login apps (GitHub, WeChat, Weibo) are managed by allauth's own "Social applications" admin.
"""

import re

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from audit.admin_mixins import AuditedAdminMixin

from . import cache as fragment_cache
from .errors import ForumError, InvalidInput
from .images import avatar_process
from .models import (
    ApiToken,
    Bookmark,
    Category,
    Notification,
    OutboxMessage,
    Post,
    PostVote,
    Tag,
    Topic,
    UploadedImage,
    User,
)
from .moderation import registry

# --- members ----------------------------------------------------------------------------------


class MemberCreationForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")


class MemberChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User

    def clean_avatar(self):
        """An avatar uploaded here goes through the same checks and re-encoding as on the site."""
        avatar = self.cleaned_data.get("avatar")
        if avatar and hasattr(avatar, "content_type"):  # a new upload, not the stored file
            try:
                processed = avatar_process(avatar)
            except InvalidInput as exc:
                raise ValidationError(str(exc.message)) from None
            return ContentFile(processed.read(), name=f"{self.instance.pk or 'new'}.png")
        return avatar


class SaveFormFieldsOnly:
    """On change, write only the columns the admin form edits: counters and activity kept by the
    services (topic/post counts, last activity...) are never overwritten with the values read when
    the request began, even if a post arrived in the meantime."""

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        concrete = {f.name for f in obj._meta.concrete_fields if not f.primary_key}
        names = [name for name, field in form.fields.items() if name in concrete and not field.disabled]
        if names:
            obj.save(update_fields=names)
        return None


@admin.register(User)
class UserAdmin(AuditedAdminMixin, SaveFormFieldsOnly, DjangoUserAdmin):
    audit_exclude = ("password", "last_login")
    form = MemberChangeForm
    add_form = MemberCreationForm
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "email", "usable_password", "password1", "password2")}),
    )
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Profile"), {"fields": ("display_name", "email", "avatar", "bio")}),
        (_("Personal info"), {"fields": ("first_name", "last_name"), "classes": ("collapse",)}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Activity"), {"fields": ("topic_count", "post_count", "upvotes_received", "last_seen_at", "last_login",
                                    "date_joined")}),
    )
    readonly_fields = ("topic_count", "post_count", "upvotes_received", "last_seen_at", "last_login", "date_joined")
    list_display = ("username", "display_name", "email", "is_active", "is_staff", "topic_count", "post_count",
                    "upvotes_received", "date_joined")
    list_filter = ("is_active", "is_staff", "is_superuser", "groups", "date_joined")
    search_fields = ("username", "display_name", "email")
    ordering = ("-date_joined",)


# --- categories and tags ------------------------------------------------------------------------


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ("name", "slug", "description", "color", "parent", "position", "read_group", "post_group",
                  "approve_new_members")

    def clean_color(self):
        color = self.cleaned_data["color"].strip()
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", color):
            raise ValidationError(_("Use a hex colour such as #d9480f."))
        return color.lower()

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        node = parent
        while node is not None:
            if self.instance.pk and node.pk == self.instance.pk:
                raise ValidationError(_("A category cannot be inside itself."))
            node = node.parent
        return parent


@admin.register(Category)
class CategoryAdmin(AuditedAdminMixin, SaveFormFieldsOnly, admin.ModelAdmin):
    form = CategoryForm
    list_display = ("name", "slug", "parent", "position", "color", "read_group", "post_group", "topic_count",
                    "post_count", "last_activity_at")
    list_editable = ("position", "color")
    list_filter = ("read_group", "post_group", "parent")
    list_select_related = ("parent", "read_group", "post_group")
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = (
        (None, {"fields": ("name", "slug", "description", "color", "parent", "position")}),
        (_("Access"), {"fields": ("read_group", "post_group", "approve_new_members")}),
        (_("Activity"), {"fields": ("topic_count", "post_count", "last_topic", "last_activity_at")}),
    )
    readonly_fields = ("topic_count", "post_count", "last_topic", "last_activity_at")

    def audit_scope(self, obj):
        return obj.pk if isinstance(obj, Category) else None

    def get_changelist_form(self, request, **kwargs):
        kwargs.setdefault("form", CategoryForm)  # the colour typed in the list is checked too
        return super().get_changelist_form(request, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        fragment_cache.bump_category(obj.pk)  # name, colour and order show on cached pages


@admin.register(Tag)
class TagAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "topics_total")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(topics_total=Count("topics"))

    @admin.display(description=_("topics"), ordering="topics_total")
    def topics_total(self, obj):
        return obj.topics_total


# --- topics and posts -----------------------------------------------------------------------------


def _run_service(modeladmin, request, queryset, call, done_message):
    """Apply a service to each selected object; report successes and each refusal by name."""
    done = 0
    for obj in queryset:
        try:
            call(obj)
        except ForumError as exc:
            modeladmin.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, done_message(done), messages.SUCCESS)


def _registry_action(applies_to, name, description, done_message):
    """A bulk admin action built from a verb of the moderation registry (permission check and audit entry
    inside the verb), with "(Django admin)" as the reason recorded. The message says what the verb did, as
    on every other page: the verb's own line for one object ("The topic is locked."), with the count for
    several ("The topic is locked. (3 topics)")."""

    def action(modeladmin, request, queryset):
        verb = registry.verb_get(applies_to, name)
        results = []

        def run(obj):
            results.append(registry.run(applies_to, name, actor=request.user, obj=obj,
                                        data={"reason": _("Bulk action in the Django admin")}) or obj)

        def message(n):
            if n == 1 and results:
                return verb.done_message(results[0])
            return _("%(done)s (%(count)s)") % {"done": verb.done_message(None), "count": done_message(n)}

        _run_service(modeladmin, request, queryset, run, message)

    action.__name__ = f"{applies_to}_{name}"
    return admin.action(description=description)(action)


def _topics_updated(n):
    return ngettext("%(n)d topic updated.", "%(n)d topics updated.", n) % {"n": n}


def _posts_updated(n):
    return ngettext("%(n)d post updated.", "%(n)d posts updated.", n) % {"n": n}


@admin.register(Topic)
class TopicAdmin(SaveFormFieldsOnly, admin.ModelAdmin):
    list_display = ("title", "category", "author", "is_pinned", "is_locked", "is_hidden", "reply_count",
                    "view_count", "vote_score", "last_activity_at")
    list_filter = ("category", "is_pinned", "is_locked", "is_hidden", "created_at", "tags")
    list_select_related = ("category", "author")
    search_fields = ("title", "author__username", "author__display_name")
    date_hierarchy = "created_at"
    autocomplete_fields = ("tags",)
    fields = ("title", "slug", "category", "author", "tags", "is_pinned", "is_locked", "is_hidden", "created_at",
              "last_activity_at", "last_poster", "post_count", "reply_count", "view_count", "vote_score",
              "hot_score", "event_seq")
    readonly_fields = tuple(f for f in fields if f != "tags")
    actions = [
        _registry_action(registry.TOPIC, "pin", _("Pin the selected topics"), _topics_updated),
        _registry_action(registry.TOPIC, "unpin", _("Unpin the selected topics"), _topics_updated),
        _registry_action(registry.TOPIC, "lock", _("Lock the selected topics"), _topics_updated),
        _registry_action(registry.TOPIC, "unlock", _("Unlock the selected topics"), _topics_updated),
        _registry_action(registry.TOPIC, "hide", _("Hide the selected topics"), _topics_updated),
        _registry_action(registry.TOPIC, "unhide", _("Show the selected topics again"), _topics_updated),
    ]

    def has_add_permission(self, request):
        return False  # a topic needs its opening post: create it on the site

    def has_delete_permission(self, request, obj=None):
        return False  # counters and notifications depend on it: hide it instead

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        fragment_cache.bump_topic(form.instance.pk)
        fragment_cache.bump_category(form.instance.category_id)


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("__str__", "topic", "author", "created_at", "score", "is_hidden", "is_deleted", "edit_count")
    list_filter = ("is_hidden", "is_deleted", "created_at", "topic__category")
    list_select_related = ("topic", "author")
    search_fields = ("source", "author__username", "topic__title")
    date_hierarchy = "created_at"
    fields = ("topic", "number", "author", "reply_to", "source", "html", "created_at", "edited_at", "edit_count",
              "is_hidden", "is_deleted", "deleted_at", "deleted_by", "upvotes", "downvotes", "score")
    readonly_fields = fields
    actions = [
        _registry_action(registry.POST, "hide", _("Hide the selected posts"), _posts_updated),
        _registry_action(registry.POST, "unhide", _("Show the selected posts again"), _posts_updated),
        _registry_action(registry.POST, "delete", _("Delete the selected posts (soft)"), _posts_updated),
        _registry_action(registry.POST, "restore", _("Restore the selected deleted posts"), _posts_updated),
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # posts are soft-deleted with the action above, which keeps the history


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the services only; the admin lists them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PostVote)
class PostVoteAdmin(ReadOnlyAdmin):
    list_display = ("post", "user", "value", "created_at")
    list_filter = ("value", "created_at")
    list_select_related = ("post", "user")
    search_fields = ("user__username", "post__topic__title")

    def has_delete_permission(self, request, obj=None):
        return False  # the post's score and the author's upvotes are caches of these rows


@admin.register(Bookmark)
class BookmarkAdmin(ReadOnlyAdmin):
    list_display = ("user", "post", "created_at")
    list_select_related = ("user", "post")
    search_fields = ("user__username", "post__topic__title")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("recipient", "kind", "actor", "message", "created_at", "read_at")
    list_filter = ("kind", "created_at", ("read_at", admin.EmptyFieldListFilter))
    list_select_related = ("recipient", "actor")
    search_fields = ("recipient__username", "message")


@admin.register(UploadedImage)
class UploadedImageAdmin(ReadOnlyAdmin):
    """Images members uploaded from the composer (forum.services.image_upload): who uploaded which
    file, searchable by the file's name as it appears in a post's /media/uploads/ URL."""

    list_display = ("file", "uploader", "width", "height", "bytes", "created_at")
    list_filter = ("created_at",)
    list_select_related = ("uploader",)
    search_fields = ("file", "uploader__username")
    readonly_fields = ("uploader", "file", "width", "height", "bytes", "created_at")

    def has_delete_permission(self, request, obj=None):
        return False  # a delete here would leave the file and no audit entry


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Tokens are created by members on the site (the secret is shown once); staff can revoke one by
    deleting it. Only the SHA-256 of the secret is stored, and it is shown read-only."""

    list_display = ("name", "user", "key_prefix", "created_at", "last_used_at")
    list_select_related = ("user",)
    search_fields = ("name", "user__username", "key_prefix")
    readonly_fields = ("user", "name", "key_prefix", "key_hash", "created_at", "last_used_at")


# --- moderation (forum/moderation) ----------------------------------------------------------------
from .moderation.models import SpamWord  # noqa: E402


@admin.register(SpamWord)
class SpamWordAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """The known-bad words list: a post containing one waits in the approval queue."""

    list_display = ("word", "created_at")
    search_fields = ("word",)
    fields = ("word",)

    def save_model(self, request, obj, form, change):
        from django.db import transaction

        from .moderation.approval import spam_words_changed

        obj.word = " ".join(obj.word.split()).lower()
        super().save_model(request, obj, form, change)
        transaction.on_commit(spam_words_changed)

    def delete_model(self, request, obj):
        from django.db import transaction

        from .moderation.approval import spam_words_changed

        super().delete_model(request, obj)
        transaction.on_commit(spam_words_changed)

    def delete_queryset(self, request, queryset):
        from django.db import transaction

        from .moderation.approval import spam_words_changed

        super().delete_queryset(request, queryset)
        transaction.on_commit(spam_words_changed)


# Groups (Members, Editors, Moderators and any staff add) carry permissions: their changes are
# settings changes like any other, so Django's own GroupAdmin gets the audit mixin.
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(AuditedAdminMixin, DjangoGroupAdmin):
    pass


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Read-only: after-commit effects still owed (forum.outbox). The sweep sends them again; one
    that failed MAX_ATTEMPTS times waits here with its last error (`manage.py outbox_relay --all`
    tries again once the cause is fixed)."""

    list_display = ("id", "task", "args", "created_at", "attempts", "due_at", "done_at")
    list_filter = (("done_at", admin.EmptyFieldListFilter), "task")
    search_fields = ("task", "last_error")
    readonly_fields = ("task", "args", "created_at", "due_at", "attempts", "done_at", "last_error")
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

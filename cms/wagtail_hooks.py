"""Wagtail admin wiring: the topic / post / poll choosers and the "Featured content" screen."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from forum.permissions import can_feature, is_editor

from . import views
from .choosers import poll_chooser_viewset, post_chooser_viewset, topic_chooser_viewset


@hooks.register("register_admin_viewset")
def register_choosers():
    return [topic_chooser_viewset, post_chooser_viewset, poll_chooser_viewset]


@hooks.register("register_admin_urls")
def register_featured_url():
    return [path("featured/", views.admin_featured, name="cms_featured_admin"),
            path("digest/", views.admin_digest, name="cms_digest_admin")]


class FeaturedMenuItem(MenuItem):
    def is_shown(self, request):
        return can_feature(request.user)


@hooks.register("register_admin_menu_item")
def register_featured_menu_item():
    return FeaturedMenuItem(_("Featured (精华)"), reverse("cms_featured_admin"), icon_name="pick", order=250)


class DigestMenuItem(MenuItem):
    def is_shown(self, request):
        return is_editor(request.user)


@hooks.register("register_admin_menu_item")
def register_digest_menu_item():
    return DigestMenuItem(_("Weekly digest"), reverse("cms_digest_admin"), icon_name="date", order=260)


# --- audit log: changes made in the Wagtail admin (pages, snippets, settings) ------------------------
# Recorded with the same generic helper as the Django admin (audit.admin_mixins): who, when, the object
# and the fields before and after (a page's draft before the edit against the one saved), deletes with
# every field. Tree and revision bookkeeping is left out of the diffs.
from audit.admin_mixins import object_snapshot, record_settings_change, snapshot_diff  # noqa: E402

PAGE_BOOKKEEPING = (
    "id", "page_ptr", "path", "depth", "numchild", "url_path", "draft_title", "has_unpublished_changes",
    "latest_revision", "latest_revision_created_at", "live_revision", "last_published_at", "first_published_at",
    "locked", "locked_at", "locked_by", "content_type", "translation_key", "locale", "alias_of", "owner",
    "go_live_at", "expire_at", "expired",
)


def _snapshot(obj):
    return object_snapshot(getattr(obj, "specific", obj), exclude=PAGE_BOOKKEEPING)


def _stash(request, obj):
    if request.method == "POST":
        request._audit_before = _snapshot(obj)


def _record_change(request, obj):
    before = getattr(request, "_audit_before", None)
    if before is None:
        return
    before, after = snapshot_diff(before, _snapshot(obj))
    if after or before:
        record_settings_change(actor=request.user, verb="change", obj=getattr(obj, "specific", obj), before=before,
                               after=after, via="wagtail-admin")


def _record(verb):
    def receiver(request, obj):
        obj = getattr(obj, "specific", obj)
        snapshot = _snapshot(obj)
        record_settings_change(actor=request.user, verb=verb, obj=obj, via="wagtail-admin",
                               before=snapshot if verb == "delete" else None,
                               after=None if verb == "delete" else snapshot)
    return receiver


def _deleted(request, obj, before):
    obj = getattr(obj, "specific", obj)
    if obj.pk is None:  # Django clears the pk of a deleted instance
        obj.pk = getattr(request, "_audit_pks", {}).get(id(obj))
    record_settings_change(actor=request.user, verb="delete", obj=obj, before=before, via="wagtail-admin")


def _stash_delete(request, obj):
    if request.method == "POST":
        request._audit_before = _snapshot(obj)
        request._audit_pks = {id(getattr(obj, "specific", obj)): obj.pk}


def _record_delete(request, obj):
    before = getattr(request, "_audit_before", None)
    if before is not None:
        _deleted(request, obj, before)


def _stash_snippets(request, instances):
    if request.method == "POST":
        request._audit_snippets = [(instance, _snapshot(instance)) for instance in instances]
        request._audit_pks = {id(instance): instance.pk for instance in instances}


def _record_snippets_deleted(request, instances):
    for instance, before in getattr(request, "_audit_snippets", ()):
        _deleted(request, instance, before)


hooks.register("before_edit_page", _stash)
hooks.register("after_edit_page", _record_change)
hooks.register("after_create_page", _record("create"))
hooks.register("before_delete_page", _stash_delete)
hooks.register("after_delete_page", _record_delete)
hooks.register("after_publish_page", lambda request, page: _record("publish")(request, page))
hooks.register("after_unpublish_page", lambda request, page: _record("unpublish")(request, page))
hooks.register("before_edit_snippet", _stash)
hooks.register("after_edit_snippet", _record_change)
hooks.register("after_create_snippet", _record("create"))
hooks.register("before_delete_snippet", _stash_snippets)
hooks.register("after_delete_snippet", _record_snippets_deleted)
hooks.register("before_edit_setting", _stash)
hooks.register("after_edit_setting", _record_change)

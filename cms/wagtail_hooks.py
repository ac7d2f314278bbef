"""Wagtail admin wiring: the topic / post / poll choosers and the "Featured content" screen."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from forum.permissions import can_feature

from . import views
from .choosers import poll_chooser_viewset, post_chooser_viewset, topic_chooser_viewset


@hooks.register("register_admin_viewset")
def register_choosers():
    return [topic_chooser_viewset, post_chooser_viewset, poll_chooser_viewset]


@hooks.register("register_admin_urls")
def register_featured_url():
    return [path("featured/", views.admin_featured, name="cms_featured_admin")]


class FeaturedMenuItem(MenuItem):
    def is_shown(self, request):
        return can_feature(request.user)


@hooks.register("register_admin_menu_item")
def register_featured_menu_item():
    return FeaturedMenuItem(_("Featured (精华)"), reverse("cms_featured_admin"), icon_name="pick", order=250)

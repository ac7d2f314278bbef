"""Engagement pages. Included at "" in config/urls.py before the forum's patterns, so every path
here is one the forum does not use."""

from django.urls import path

from . import views as pages
from .badges import views as badges
from .checkin import views as checkin
from .leaderboards import views as leaderboards
from .points import views as points

app_name = "engagement"

urlpatterns = [
    path("me/points/", points.me_points, name="me_points"),
    path("u/<str:username>/points/", pages.member_points, name="member_points"),
    path("u/<str:username>/points/adjust/", points.points_adjust, name="points_adjust"),
    path("checkin/", checkin.checkin, name="checkin"),
    path("checkin/makeup/", checkin.checkin_makeup, name="checkin_makeup"),
    path("leaderboard/", leaderboards.leaderboard, name="leaderboard"),
    path("badges/", badges.badge_list, name="badges"),
    path("badges/<slug:slug>/", badges.badge_detail, name="badge"),
    path("me/badges/choose/", badges.badge_choose, name="badge_choose"),
    path("u/<str:username>/badges/", badges.member_badges, name="member_badges"),
    path("u/<str:username>/badges/grant/", badges.badge_grant, name="badge_grant"),
    path("u/<str:username>/badges/revoke/", badges.badge_revoke, name="badge_revoke"),
]

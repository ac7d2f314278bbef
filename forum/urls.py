from django.urls import path

from . import choosers, views, views_tokens
from .composer import views as composer_views
from .moderation.urls import urlpatterns as moderation_urlpatterns

app_name = "forum"

urlpatterns = [
    path("", views.index, name="index"),
    path("latest/", views.latest, name="latest"),
    path("c/<str:slug>/", views.category, name="category"),
    path("tag/<str:slug>/", views.tag, name="tag"),
    path("new/", views.topic_new, name="topic_new"),
    path("t/<int:pk>/", views.topic_short, name="topic_short"),
    path("t/<int:pk>/unread/", views.topic_unread, name="topic_unread"),
    path("t/<int:pk>/reply/", views.topic_reply, name="topic_reply"),
    path("t/<int:pk>/subscribe/", views.topic_subscribe, name="topic_subscribe"),
    path("t/<int:pk>/moderate/", views.topic_moderate, name="topic_moderate"),
    path("t/<int:pk>/<str:slug>/", views.topic, name="topic"),
    path("p/<int:pk>/", views.post, name="post"),
    path("p/<int:pk>/fragment/", views.post_fragment, name="post_fragment"),
    path("p/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("p/<int:pk>/vote/", views.post_vote, name="post_vote"),
    path("p/<int:pk>/bookmark/", views.post_bookmark, name="post_bookmark"),
    path("p/<int:pk>/delete/", views.post_delete, name="post_delete"),
    path("u/<str:username>/", views.member, name="member"),
    path("u/<str:username>/avatar.svg", views.avatar_default, name="avatar_default"),
    path("settings/profile/", views.profile_edit, name="profile_edit"),
    path("settings/tokens/", views_tokens.api_tokens, name="api_tokens"),
    path("settings/tokens/<int:pk>/revoke/", views_tokens.api_token_revoke, name="api_token_revoke"),
    path("uploads/images/", views.image_upload, name="image_upload"),
    # the composer (forum/composer): preview, drafts, @mention autocomplete; a post's edit history
    path("composer/preview/", composer_views.preview, name="composer_preview"),
    path("composer/draft/", composer_views.draft, name="composer_draft"),
    path("composer/draft/discard/", composer_views.draft_discard, name="composer_draft_discard"),
    path("composer/mentions/", composer_views.mention_search, name="composer_mentions"),
    path("p/<int:pk>/history/", composer_views.post_history, name="post_history"),
    path("p/<int:pk>/quote/", composer_views.post_quote, name="post_quote"),
    path("notifications/", views.notifications, name="notifications"),
    path("choose/<str:kind>/", choosers.chooser_view, name="chooser"),
    path("bookmarks/", views.bookmarks, name="bookmarks"),
    path("lang/<str:code>/", views.set_language, name="set_language"),
    *moderation_urlpatterns,
]

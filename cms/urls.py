from django.urls import path

from . import feeds, views

app_name = "cms"

urlpatterns = [
    path("featured/", views.featured, name="featured"),
    path("featured/t/<int:pk>/", views.feature_topic, name="feature_topic"),
    path("featured/p/<int:pk>/", views.feature_post, name="feature_post"),
    path("feeds/digests.rss", feeds.DigestFeed(), name="feed_digests_rss"),
    path("feeds/digests.atom", feeds.DigestAtomFeed(), name="feed_digests_atom"),
    path("feeds/collections.rss", feeds.CollectionFeed(), name="feed_collections_rss"),
    path("feeds/collections.atom", feeds.CollectionAtomFeed(), name="feed_collections_atom"),
    path("feeds/featured.rss", feeds.FeaturedTopicFeed(), name="feed_featured_rss"),
    path("feeds/featured.atom", feeds.FeaturedTopicAtomFeed(), name="feed_featured_atom"),
]

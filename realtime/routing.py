from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path("ws/ping/", consumers.PingConsumer.as_asgi()),
    path("ws/topic/<int:topic_id>/", consumers.TopicConsumer.as_asgi()),
    path("ws/member/<int:member_id>/", consumers.MemberConsumer.as_asgi()),
    path("ws/category/<int:category_id>/", consumers.CategoryConsumer.as_asgi()),
    path("ws/home/", consumers.HomeConsumer.as_asgi()),
]

from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path("ws/conversation/<int:conversation_id>/", consumers.ConversationConsumer.as_asgi()),
]

"""WebSocket consumers. No domain logic lives here: parse, check, call a selector or service."""

import json

from channels.generic.websocket import AsyncJsonWebsocketConsumer


class PingConsumer(AsyncJsonWebsocketConsumer):
    """A liveness probe: answers {"type": "ping"} with {"type": "pong", "user": ...}."""

    async def connect(self):
        await self.accept()

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict) or content.get("type") != "ping":
            await self.send_json({"type": "error", "error": "unknown message"})
            return
        user = self.scope.get("user")
        name = user.username if user is not None and user.is_authenticated else None
        await self.send_json({"type": "pong", "user": name, "echo": content.get("echo")})

    @classmethod
    async def decode_json(cls, text_data):
        try:
            return json.loads(text_data)
        except ValueError:
            return None

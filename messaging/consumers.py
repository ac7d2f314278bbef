"""/ws/conversation/<id>/?after=<seq>: a conversation's messages, live, for its active participants.

The numbered, gap-free stream is realtime's SequencedConsumer, the one topic readers use: the
messages are the log, a reconnecting reader sends the last number it saw and gets what came after
from the database; a message by a member this reader blocks or ignores is skipped (its number
counts, its content never reaches the socket). Someone leaving is an access event: each reader's
right to follow is checked again, so a member who left (in another tab) is cut off at once."""

from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser

from realtime.consumers import SequencedConsumer, query_int
from realtime.publish import conversation_group

from . import events, permissions, selectors


class ConversationConsumer(SequencedConsumer):
    access_events = events.ACCESS_EVENTS

    def stream_access(self):
        return selectors.stream_access(user=self.user, conversation_id=self.conversation_id)

    def stream_events_after(self, after, limit):
        return selectors.stream_events_after(user=self.user, conversation_id=self.conversation_id, after=after,
                                             limit=limit)

    def stream_revoked(self):
        return {"type": "access.revoked", "conversation_id": self.conversation_id}

    def stream_skips(self, message):
        return message.get("author_id") in self.hidden

    def _open(self):
        seq = self.stream_access()
        hidden = permissions.hidden_authors(self.user) if seq is not None else set()
        return seq, hidden

    async def connect(self):
        self.user = self.scope.get("user") or AnonymousUser()
        self.conversation_id = int(self.scope["url_route"]["kwargs"]["conversation_id"])
        seq, self.hidden = await database_sync_to_async(self._open)()
        if seq is None:
            await self.refuse()
            return
        await self.join(conversation_group(self.conversation_id))  # before reading the log
        await self.accept()
        after = query_int(self.scope, "after")
        self.last_seq = seq if after is None else after
        if after is not None and not await self.catch_up():
            return
        await self.send_json({"type": "hello", "conversation_id": self.conversation_id, "seq": self.last_seq})

"""WebSocket consumers. No domain logic lives here: parse, check, call a selector, forward.

Close codes: 4400 bad message (binary or too large), 4403 not allowed (refused at the handshake,
or access lost while connected), 4429 too many messages, 4000 "reload the page" (after a
{"type": "reload"} message).
"""

import asyncio
import json
import time
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache

from . import conf, publish, selectors
from .selectors import ACCESS_EVENTS, CatchUpImpossible

CLOSE_BAD_MESSAGE = 4400
CLOSE_FORBIDDEN = 4403
CLOSE_TOO_MANY = 4429
CLOSE_RELOAD = 4000

MAX_MESSAGE_BYTES = 1024
RATE_BURST = 10  # client messages a connection may send at once ...
RATE_PER_SECOND = 1.0  # ... refilled at this rate

_background = set()  # delayed presence broadcasts, kept referenced until done


class PingConsumer(AsyncJsonWebsocketConsumer):
    """A liveness probe: answers {"type": "ping"} with {"type": "pong", "user": ...}."""

    async def connect(self):
        await self.accept()

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        # The JSON consumer raises on a binary frame, which would drop the connection with a server
        # error; answer it like any other message we cannot read.
        if text_data is None:
            await self.send_json({"type": "error", "error": "unknown message"})
            return
        await super().receive(text_data=text_data, **kwargs)

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


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """Shared plumbing: group membership, message validation and a per-connection rate limit.

    Subclasses list the client message types they accept in `client_messages` and implement
    `on_<type>(content)`; everything else gets an error reply."""

    client_messages = ("ping",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.joined = []
        self.closed = False
        self.user = AnonymousUser()
        self._tokens = float(RATE_BURST)
        self._token_time = time.monotonic()

    # Channel-layer handlers that do not touch the database themselves (their rare database paths
    # go through database_sync_to_async, which closes stale connections on its own). Channels'
    # dispatch() first runs close_old_connections in the one thread-sensitive worker thread for
    # every message: a topic event fanned out to 1,000 readers would queue 1,000 thread hops
    # behind each other. These skip it.
    layer_handlers = frozenset({"topic_event", "live_send"})

    async def dispatch(self, message):
        name = get_handler_name(message)
        if name in self.layer_handlers:
            await getattr(self, name)(message)
            return
        await super().dispatch(message)

    async def join(self, group):
        await self.channel_layer.group_add(group, self.channel_name)
        self.joined.append(group)

    async def disconnect(self, code):
        self.closed = True
        for group in self.joined:
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:  # Redis gone: the group entry expires on its own
                pass
        self.joined = []

    async def refuse(self, code=CLOSE_FORBIDDEN):
        self.closed = True
        await self.close(code=code)

    def _take_token(self):
        now = time.monotonic()
        self._tokens = min(float(RATE_BURST), self._tokens + (now - self._token_time) * RATE_PER_SECOND)
        self._token_time = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if self.closed:
            return
        if text_data is None or len(text_data.encode()) > MAX_MESSAGE_BYTES:
            await self.refuse(CLOSE_BAD_MESSAGE)
            return
        if not self._take_token():
            await self.send_json({"type": "error", "error": "rate_limited"})
            await self.refuse(CLOSE_TOO_MANY)
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            content = None
        kind = content.get("type") if isinstance(content, dict) else None
        if kind not in self.client_messages:
            await self.send_json({"type": "error", "error": "invalid_message"})
            return
        await getattr(self, "on_" + kind)(content)

    async def on_ping(self, content):
        await self.send_json({"type": "pong"})

    async def live_send(self, message):
        """A pre-serialised event for this group (from realtime.publish)."""
        if self.closed:
            return
        if message.get("skip_user") is not None and message["skip_user"] == self.user.pk:
            return
        await self.send(text_data=message["text"])


def query_int(scope, name):
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get(name)
    if not values:
        return None
    try:
        value = int(values[0])
    except ValueError:
        return None
    return value if 0 <= value < 2**63 else None


class SequencedConsumer(LiveConsumer):
    """A numbered, gap-free stream: the events of one log (a topic's events, a conversation's
    messages), each with a number that only grows by one. With `?after=<seq>` the events after it
    are replayed from the database, in order, before live ones; live events are forwarded in number
    order, a gap is filled from the database and a duplicate is dropped, so the client sees each
    number exactly once. Subclasses say how to check access and read the log:

      stream_access()                 sync: None if the reader may not read the stream
      stream_events_after(after, limit) sync: [(seq, type, json text or None)], None = skip it for this
                                      reader (the number still counts); raises CatchUpImpossible
      stream_revoked()                the message sent when access is lost
      stream_skips(message)           a live event this reader must not get (its number still counts)

    Live events reach the consumer as channel-layer messages of type "topic.event" with `seq`,
    `event_type` and the serialised `text`."""

    access_events = ACCESS_EVENTS

    def stream_access(self):
        raise NotImplementedError

    def stream_events_after(self, after, limit):
        raise NotImplementedError

    def stream_revoked(self):
        return {"type": "access.revoked"}

    def stream_skips(self, message):
        return False

    async def catch_up(self):
        """Send every logged event after self.last_seq. False if the client must reload."""
        try:
            rows = await database_sync_to_async(self.stream_events_after)(self.last_seq, conf.catchup_max())
        except CatchUpImpossible:
            await self.send_json({"type": "reload", "reason": "gap"})
            await self.refuse(CLOSE_RELOAD)
            return False
        if any(type_ in self.access_events for _seq, type_, _text in rows) and not await self.recheck_access():
            return False
        for seq, _type, text in rows:
            if text is not None:
                await self.send(text_data=text)
            self.last_seq = seq
        return True

    async def recheck_access(self):
        access = await database_sync_to_async(self.stream_access)()
        if access is None:
            await self.send_json(self.stream_revoked())
            await self.refuse()
            return False
        return True

    async def topic_event(self, message):
        if self.closed:
            return
        seq = message["seq"]
        if seq <= self.last_seq:
            return  # already sent (replayed from the log, or a duplicate)
        if seq != self.last_seq + 1:
            await self.catch_up()  # an earlier event is late or lost: the log has it
            return
        if message.get("event_type") in self.access_events and not await self.recheck_access():
            return
        if not self.stream_skips(message):
            await self.send(text_data=message["text"])
        self.last_seq = seq


class TopicConsumer(SequencedConsumer):
    """/ws/topic/<id>/?after=<seq>: the topic's numbered events, presence and typing (the numbered
    stream is SequencedConsumer's)."""

    client_messages = ("ping", "typing")

    def stream_access(self):
        return selectors.topic_access(topic_id=self.topic_id, user=self.user)

    def stream_events_after(self, after, limit):
        return selectors.topic_events_after(topic_id=self.topic_id, after=after, limit=limit)

    def stream_revoked(self):
        return {"type": "access.revoked", "topic_id": self.topic_id}

    async def connect(self):
        self.user = self.scope.get("user") or AnonymousUser()
        self.topic_id = int(self.scope["url_route"]["kwargs"]["topic_id"])
        self.counted = False
        # one trip to the worker thread: the read check, and counting this reader in
        access, reading, broadcast = await database_sync_to_async(self._open)()
        if access is None:
            await self.refuse()
            return
        if broadcast:
            self._schedule_presence_broadcast()
        # join before reading the log: an event is either in what we read or arrives live
        await self.join(publish.topic_group(self.topic_id))
        await self.accept()
        after = query_int(self.scope, "after")
        self.last_seq = access.seq if after is None else after
        if after is not None and not await self.catch_up():
            return
        await self.send_json({"type": "hello", "topic_id": self.topic_id, "seq": self.last_seq, "reading": reading})

    def _open(self):
        access = selectors.topic_access(topic_id=self.topic_id, user=self.user)
        if access is None:
            return None, 0, False
        reading, broadcast = self._presence_change(+1)
        return access, reading, broadcast

    async def disconnect(self, code):
        if getattr(self, "counted", False):
            _reading, broadcast = await database_sync_to_async(self._presence_change)(-1)
            if broadcast:
                self._schedule_presence_broadcast()
        await super().disconnect(code)

    # --- presence: "N reading now" ----------------------------------------------------------
    def _presence_key(self):
        return f"live:reading:{self.topic_id}"

    def _presence_change(self, delta):
        """Count this reader in (+1) or out (-1), in the cache. Returns the new count and whether
        this change should schedule the topic's next presence broadcast: at most one per interval,
        sent when the interval ends, so it carries the count after a burst of joins and leaves."""
        key = self._presence_key()
        try:
            if delta > 0:
                cache.add(key, 0, timeout=6 * 3600)
                count = cache.incr(key)
                self.counted = True
            else:
                self.counted = False
                count = cache.decr(key)
            broadcast = cache.add(f"live:reading-lock:{self.topic_id}", 1, timeout=conf.presence_interval())
        except ValueError:  # the counter expired
            return 0, False
        except Exception:  # the cache is down: presence is a nicety
            return 0, False
        return max(count, 0), broadcast

    def _schedule_presence_broadcast(self):
        # read the count just after the lock expires: every change made while it was held (and so
        # not scheduling a broadcast of its own) is counted in this one
        delay = conf.presence_interval() + 0.05
        task = asyncio.ensure_future(_broadcast_presence(self.topic_id, self._presence_key(), delay))
        _background.add(task)
        task.add_done_callback(_background.discard)

    # --- typing: "X is replying..." ---------------------------------------------------------
    async def on_typing(self, content):
        if not self.user.is_authenticated:
            await self.send_json({"type": "error", "error": "login_required"})
            return
        interval = conf.typing_interval()
        if not await cache.aadd(f"live:typing:{self.topic_id}:{self.user.pk}", 1, timeout=interval):
            await self.send_json({"type": "error", "error": "rate_limited", "retry_after": interval})
            return
        if not await database_sync_to_async(selectors.can_type_in_topic)(topic_id=self.topic_id, user=self.user):
            await self.send_json({"type": "error", "error": "not_allowed"})
            return
        await publish.asend_topic_notice(
            self.topic_id,
            {"type": "typing", "topic_id": self.topic_id, "user": {"username": self.user.username, "name": self.user.name}},
            skip_user_id=self.user.pk,
        )


async def _broadcast_presence(topic_id, key, delay):
    await asyncio.sleep(delay)
    try:
        count = await cache.aget(key, 0)
    except Exception:
        return
    await publish.asend_topic_notice(topic_id, {"type": "presence", "topic_id": topic_id, "reading": max(int(count), 0)})


class MemberConsumer(LiveConsumer):
    """/ws/member/<id>/: one member's notifications and unread count. Only that member may join."""

    async def connect(self):
        self.user = self.scope.get("user") or AnonymousUser()
        member_id = int(self.scope["url_route"]["kwargs"]["member_id"])
        if not self.user.is_authenticated or not self.user.is_active or self.user.pk != member_id:
            await self.refuse()
            return
        await self.join(publish.member_group(member_id))
        await self.accept()
        unread = await database_sync_to_async(selectors.member_unread_count)(user=self.user)
        await self.send_json({"type": "hello", "unread": unread})


class CategoryConsumer(LiveConsumer):
    """/ws/category/<id>/: new topics and activity counts of a category its reader may read."""

    async def connect(self):
        self.user = self.scope.get("user") or AnonymousUser()
        category_id = int(self.scope["url_route"]["kwargs"]["category_id"])
        if not await database_sync_to_async(selectors.can_read_category)(category_id=category_id, user=self.user):
            await self.refuse()
            return
        await self.join(publish.category_group(category_id))
        await self.accept()
        await self.send_json({"type": "hello"})


class HomeConsumer(LiveConsumer):
    """/ws/home/: new topics and activity of every category the reader may read."""

    async def connect(self):
        self.user = self.scope.get("user") or AnonymousUser()
        for group in await database_sync_to_async(selectors.home_groups)(user=self.user):
            await self.join(group)
        await self.accept()
        await self.send_json({"type": "hello"})

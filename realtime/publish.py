"""The one module that sends to the channel layer.

Anyone may call it (it imports no domain app). Every function serialises its payload at once, so a
payload that JSON cannot hold fails the caller, and sends only after the current transaction
commits (`transaction.on_commit`; called outside a transaction, it sends at once). Sending never
raises: if Redis is down the write that caused the event has already succeeded, the error is
logged, and topic readers catch up from the event log when they reconnect.

Groups:
  topic.<id>        readers of a topic (numbered, logged events)
  member.<id>       one member's own channel
  category.<id>     readers of a category page
  home              home page readers (events of public categories)
  home.g<group id>  home page readers in that group (events of categories it may read)
  home.staff        staff on the home page (events of every category)
  conversation.<id> the active participants of a private conversation (numbered by its messages)
"""

import json
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

logger = logging.getLogger(__name__)

HOME_GROUP = "home"
HOME_STAFF_GROUP = "home.staff"


def topic_group(topic_id):
    return f"topic.{int(topic_id)}"


def member_group(user_id):
    return f"member.{int(user_id)}"


def category_group(category_id):
    return f"category.{int(category_id)}"


def conversation_group(conversation_id):
    return f"conversation.{int(conversation_id)}"


def home_group_for(read_group_id):
    return f"home.g{int(read_group_id)}"


def dumps(payload):
    """Serialise a payload: a dict with a string "type". Raises TypeError/ValueError otherwise."""
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str) or not payload["type"]:
        raise ValueError("a live payload is a dict with a non-empty string 'type'")
    return json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


def _group_send(group, message):
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:
        logger.exception("live: could not send to %s; readers will catch up on reconnect", group)
        return False
    return True


def publish_topic_event(topic_id, type, payload, *, refresh=None):
    """Number, log and broadcast an event to everyone reading a topic (after commit).

    `payload` must hold only what every reader of the topic may see. `refresh(payload)`, if
    given, rebuilds the payload from the database while the sequence number is allocated (use it
    for totals that concurrent writes change, such as vote scores)."""
    from . import services

    payload = {**payload, "type": type}
    dumps(payload)  # fail early, in the caller, on a payload JSON cannot hold

    def send():
        try:
            recorded = services.topic_event_record(topic_id=topic_id, type=type, payload=payload, refresh=refresh)
        except Exception:
            logger.exception("live: could not record %s on topic %s", type, topic_id)
            return
        if recorded is None:
            return
        seq, final = recorded
        text = dumps({**final, "type": type, "seq": seq})
        _group_send(topic_group(topic_id), {"type": "topic.event", "seq": seq, "event_type": type, "text": text})

    transaction.on_commit(send, robust=True)


def publish_stream_event(group, *, seq, type, payload, extra=None):
    """Broadcast an event of a numbered log that the caller has already numbered and stored in the
    same transaction (a conversation's messages are their own log), after commit, to the readers of
    `group` (consumers built on realtime.consumers.SequencedConsumer). `extra` travels beside the text
    for the consumer's own filtering (never sent to the client)."""
    text = dumps({**payload, "type": type, "seq": seq})
    message = {**(extra or {}), "type": "topic.event", "seq": seq, "event_type": type, "text": text}
    transaction.on_commit(lambda: _group_send(group, message), robust=True)


def publish_member_event(user_id, payload):
    """Send an event to one member's own channel (after commit)."""
    text = dumps(payload)
    transaction.on_commit(lambda: _group_send(member_group(user_id), {"type": "live.send", "text": text}),
                          robust=True)


def publish_feed_event(*, category_id, read_group_id, payload):
    """Send an event to the category page and the home page readers who may see that category."""
    text = dumps(payload)
    groups = [category_group(category_id)]
    if read_group_id is None:
        groups.append(HOME_GROUP)
    else:
        groups += [home_group_for(read_group_id), HOME_STAFF_GROUP]

    def send():
        for group in groups:
            _group_send(group, {"type": "live.send", "text": text})

    transaction.on_commit(send, robust=True)


# --- ephemeral topic notices, sent by the topic consumer (not numbered, not logged) ------------
async def asend_topic_notice(topic_id, payload, *, skip_user_id=None):
    """Typing and presence notices: lost if Redis hiccups, and that is fine."""
    layer = get_channel_layer()
    if layer is None:
        return False
    message = {"type": "live.send", "text": dumps(payload)}
    if skip_user_id is not None:
        message["skip_user"] = skip_user_id
    try:
        await layer.group_send(topic_group(topic_id), message)
    except Exception:
        logger.exception("live: could not send a %s notice on topic %s", payload.get("type"), topic_id)
        return False
    return True

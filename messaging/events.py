"""The JSON payloads of a conversation's live stream. A message's payload holds only what every
participant may see; a reader who blocks its author gets nothing (messaging.selectors and the consumer)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from realtime.publish import dumps

from .models import Message

ACCESS_EVENTS = frozenset({"participant.left"})


def event_type(message):
    return "participant.left" if message.kind == Message.Kind.LEFT else "message.created"


def render_message(message):
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string("messaging/message.html", {"message": message})


def message_payload(message):
    return {"conversation_id": message.conversation_id, "message_id": message.pk,
            "author": {"id": message.author_id, "username": message.author.username, "name": message.author.name},
            "kind": message.kind, "fragment": render_message(message)}


def dumps_message(message):
    return dumps({**message_payload(message), "type": event_type(message), "seq": message.seq})

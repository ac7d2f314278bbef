"""What private messages announce to the apps above them (mail notifications)."""

from forum.hooks import Event

message_sent = Event("message_sent", "message, recipients (members who may read it and have not muted its author)")

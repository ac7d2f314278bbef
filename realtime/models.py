"""The topic event log: every live event on a topic, numbered by a sequence that only grows for
that topic (Topic.event_seq holds the last number handed out). A client that reconnects sends the
last number it saw and gets everything after it from here, in order."""

from django.db import models
from django.utils import timezone


class TopicEvent(models.Model):
    topic = models.ForeignKey("forum.Topic", on_delete=models.CASCADE, related_name="+", db_index=False)
    seq = models.PositiveBigIntegerField()
    type = models.CharField(max_length=40)
    payload = models.JSONField()  # what every reader of the topic may see, without "seq"
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["topic", "seq"]
        constraints = [models.UniqueConstraint(fields=["topic", "seq"], name="topicevent_topic_seq_uniq")]

    def __str__(self):
        return f"{self.topic_id}#{self.seq} {self.type}"

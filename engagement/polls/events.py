"""Live payloads of polls (sent to the topic's readers through realtime.publish)."""

from django.db.models import Count

from .models import Ballot, PollOption


def poll_updated(poll):
    """{"type": "poll.updated", ...}: the number of voters always; the counts only when the
    results are shown to everyone (results "always", or the poll is closed). Readers whose view
    differs (after voting) fetch the widget again."""
    voters = Ballot.objects.filter(poll_id=poll.pk).count()
    payload = {"type": "poll.updated", "poll_id": poll.pk, "voters": voters, "is_open": poll.is_open,
               "options": None}
    if poll.results_visibility == poll.Results.ALWAYS or not poll.is_open:
        payload["options"] = [
            {"id": o.pk, "votes": o.n}
            for o in PollOption.objects.filter(poll_id=poll.pk).annotate(n=Count("choices")).order_by("position")
        ]
    return payload

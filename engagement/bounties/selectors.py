from django.utils import timezone

from .models import Bounty


def bounty_for_topic(*, topic_id):
    return (Bounty.objects.select_related("asker", "accepted_post", "accepted_post__author")
            .prefetch_related("payouts__member").filter(topic_id=topic_id).first())


def bounties_due(*, now=None):
    now = now or timezone.now()
    return list(Bounty.objects.filter(status=Bounty.Status.OPEN, expires_at__lte=now)
                .order_by("expires_at").values_list("pk", flat=True)[:500])


def open_bounties():
    return (Bounty.objects.filter(status=Bounty.Status.OPEN, topic__is_hidden=False)
            .select_related("topic", "asker", "topic__category").order_by("expires_at"))


def bounty_get(*, pk):
    return Bounty.objects.select_related("topic", "topic__category", "asker").filter(pk=pk).first()

"""Every read of the commission pages and API."""

from django.utils import timezone

from .models import Commission

_RELATED = ("writer", "editor", "topic", "category")


def commission_get(*, pk):
    return Commission.objects.select_related(*_RELATED).filter(pk=pk).first()


def paid_commissions():
    """The commissions wall: paid commissions, newest first."""
    return Commission.objects.select_related(*_RELATED).filter(status=Commission.Status.PAID).order_by(
        "-closed_at", "-id")


def commissions_of_writer(*, member):
    return Commission.objects.select_related(*_RELATED).filter(writer_id=member.pk)


def commissions_desk(*, status=None):
    """For editors: every commission, open ones first by due date."""
    qs = Commission.objects.select_related(*_RELATED)
    if status:
        return qs.filter(status=status).order_by("due_at", "id")
    return qs.filter(status__in=Commission.OPEN).order_by("due_at", "id")


def commissions_due(*, now=None):
    now = now or timezone.now()
    return list(Commission.objects.filter(
        status__in=[Commission.Status.INVITED, Commission.Status.ACCEPTED, Commission.Status.RETURNED],
        due_at__lte=now).values_list("pk", flat=True)[:500])


def writer_topics(*, member, limit=30):
    """The writer's own recent visible topics, for the hand-in form."""
    from forum.models import Topic

    return list(Topic.objects.filter(author_id=member.pk, is_hidden=False).order_by("-created_at")
                .only("id", "title", "created_at")[:limit])


def commission_for_topic(*, topic_id):
    return Commission.objects.select_related("writer", "editor").filter(
        topic_id=topic_id, status=Commission.Status.PAID).first()

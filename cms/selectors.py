"""Every read the CMS pages, feeds and tasks need. The forum is read through forum.selectors and
forum.permissions; engagement (events, check-ins) through its selectors, and only when the app is
installed, so a site without it still renders its pages."""

import datetime

from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, Q
from django.utils import timezone

from forum import selectors as forum_selectors


def latest_collections(*, limit=3):
    from .models import CollectionPage

    return list(CollectionPage.objects.live().public().select_related("cover")
                .order_by("-first_published_at", "-id")[:limit])


def latest_digest():
    from .models import DigestPage

    return DigestPage.objects.live().public().order_by("-week_start", "-id").first()


def featured_topics(*, user, limit=5):
    return list(forum_selectors.featured_topics(user=user, per_page=limit).object_list)


def running_events(*, now=None):
    """The events running now (engagement.events), or [] where that app is not installed."""
    if not apps.is_installed("engagement.events"):
        return []
    from engagement.events.selectors import event_lists

    return event_lists(now=now)["running"]


def community_numbers():
    """Members, posts today and (with engagement.checkin) check-ins today."""
    numbers = forum_selectors.community_numbers()
    numbers["checkins_today"] = None
    if apps.is_installed("engagement.checkin"):
        from engagement.checkin.selectors import checkin_count_today

        numbers["checkins_today"] = checkin_count_today()
    return numbers


def event_landing(*, event_id, user):
    """What an EventPage shows of its event: the event, its status, activities (polls as PollViews,
    lotteries with winners, readable topics) and, once it is past, the results."""
    if event_id is None or not apps.is_installed("engagement.events"):
        return None
    from engagement.events import selectors as event_selectors
    from engagement.events.models import Event

    event = Event.objects.select_related("created_by").filter(pk=event_id).first()
    if event is None:
        return None
    status = event.status_at(timezone.now())
    data = {"event": event, "status": status, **event_selectors.event_activities(event=event, user=user)}
    data["stats"] = event_selectors.event_stats(event=event) if status in {"running", "past"} else None
    return data


# --- feeds --------------------------------------------------------------------------------------------
def public_digests(*, limit=20):
    from .models import DigestPage

    return list(DigestPage.objects.live().public().order_by("-week_start", "-id")[:limit])


def public_collections(*, limit=20):
    from .models import CollectionPage

    return list(CollectionPage.objects.live().public().order_by("-first_published_at", "-id")[:limit])


def public_featured_topics(*, limit=30):
    """Featured topics a guest may read (feeds are public): hidden ones and private categories never."""
    return list(forum_selectors.featured_topics(user=AnonymousUser(), per_page=limit).object_list)


# --- the weekly digest proposal -----------------------------------------------------------------------
# score = 3 x distinct members who upvoted the topic's posts (its author excluded)
#       + 1 x distinct members who replied (its author excluded)
#       + 10 if the topic is featured (精华)
#       + 5 if its author ranks in the top 20 of the latest site-wide KOL run (engagement.kol, when installed)
UPVOTER_WEIGHT = 3
REPLIER_WEIGHT = 1
FEATURED_WEIGHT = 10
KOL_WEIGHT = 5
KOL_TOP = 20


def kol_top_member_ids():
    """Members in the top KOL_TOP of the latest site-wide KOL run, or an empty set without one."""
    if not apps.is_installed("engagement.kol"):
        return set()
    from engagement.kol import conf
    from engagement.kol.models import KolScore
    from engagement.kol.selectors import run_latest

    run = run_latest(window_days=conf.config()["WINDOW_DAYS"])
    if run is None:
        return set()
    return set(KolScore.objects.filter(run=run, rank__lte=KOL_TOP).values_list("member_id", flat=True))


def week_bounds(week_start):
    """[Monday 00:00, next Monday 00:00) in the site time zone."""
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.datetime.combine(week_start, datetime.time.min), tz)
    return start, start + datetime.timedelta(days=7)


def previous_week_start(today=None):
    today = today or timezone.localdate()
    this_monday = today - datetime.timedelta(days=today.weekday())
    return this_monday - datetime.timedelta(days=7)


def digest_candidates(*, week_start, limit=10):
    """The week's best topics for a digest: created in the week, visible, in public categories,
    ranked by the score above (ties: more recent first). Returns [(topic, score), ...]."""
    from forum.models import Topic

    start, end = week_bounds(week_start)
    visible = Q(posts__is_hidden=False, posts__is_deleted=False)
    not_author = Q(posts__author__lt=F("author")) | Q(posts__author__gt=F("author"))
    topics = (
        Topic.objects.filter(created_at__gte=start, created_at__lt=end, is_hidden=False,
                             category__read_group__isnull=True)
        .annotate(
            upvoters=Count("posts__votes__user", distinct=True, filter=visible & Q(posts__votes__value=1)),
            repliers=Count("posts__author", distinct=True, filter=visible & Q(posts__number__gt=1) & not_author),
        )
        .select_related("category", "author")
    )
    kols = kol_top_member_ids()
    scored = []
    for topic in topics:
        score = (UPVOTER_WEIGHT * topic.upvoters + REPLIER_WEIGHT * topic.repliers
                 + (FEATURED_WEIGHT if topic.is_featured else 0) + (KOL_WEIGHT if topic.author_id in kols else 0))
        if score > 0:
            scored.append((topic, score))
    scored.sort(key=lambda pair: (-pair[1], -pair[0].created_at.timestamp(), -pair[0].pk))
    return scored[:limit]


def task_card_url(user):
    """Where the signed-in member's newcomer-task card loads from (engagement.tasks, fetched by
    htmx so the page itself stays the same for everyone), or None."""
    if not getattr(user, "is_authenticated", False) or not apps.is_installed("engagement.tasks"):
        return None
    from django.urls import reverse

    return reverse("tasks:card")

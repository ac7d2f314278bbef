"""The "hot" ranking of topics, computed in SQL.

    s   = vote_score + 2 * reply_count + 10 * featured
          (opening-post votes; a reply counts as two votes; a featured topic (精华) counts as ten)
    hot = sign(s) * log10(max(|s|, 1)) + (created - 2024-01-01) / 45000 s

This is Reddit's formula: each tenfold rise in engagement is worth 12.5 hours of freshness, so a
new topic with some activity overtakes an old one with a lot. The first term is evaluated by the
database in an UPDATE whenever votes or replies change (so it stays indexable: the topic list
sorts on an index over `hot_score`); the second is a constant per topic. Featuring or unfeaturing
a topic (forum.services.topic_feature) runs the same UPDATE.
"""

from datetime import UTC, datetime

from django.db.models import Case, F, FloatField, IntegerField, Value, When
from django.db.models.functions import Abs, Cast, Greatest, Log, Sign

EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
HALF_DAY_SECONDS = 45000.0
FEATURED_BONUS = 10  # a featured topic weighs as much as ten opening-post upvotes


def age_term(created_at):
    return (created_at - EPOCH).total_seconds() / HALF_DAY_SECONDS


def engagement_expression():
    featured = Case(When(is_featured=True, then=Value(FEATURED_BONUS)), default=Value(0),
                    output_field=IntegerField())
    return F("vote_score") + 2 * F("reply_count") + featured


def hot_score_expression(created_at):
    # float throughout: PostgreSQL refuses GREATEST(integer, float) ("mixed types") without it
    s = Cast(engagement_expression(), FloatField())
    return Sign(s) * Log(Value(10.0), Greatest(Abs(s), Value(1.0))) + Value(age_term(created_at))


def hot_score_python(*, vote_score, reply_count, created_at, is_featured=False):
    import math

    s = vote_score + 2 * reply_count + (FEATURED_BONUS if is_featured else 0)
    sign = (s > 0) - (s < 0)
    return sign * math.log10(max(abs(s), 1)) + age_term(created_at)

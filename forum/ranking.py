"""The "hot" ranking of topics, computed in SQL.

    s   = vote_score + 2 * reply_count          (opening-post votes; a reply counts as two votes)
    hot = sign(s) * log10(max(|s|, 1)) + (created - 2024-01-01) / 45000 s

This is Reddit's formula: each tenfold rise in engagement is worth 12.5 hours of freshness, so a
new topic with some activity overtakes an old one with a lot. The first term is evaluated by the
database in an UPDATE whenever votes or replies change (so it stays indexable: the topic list
sorts on an index over `hot_score`); the second is a constant per topic.
"""

from datetime import UTC, datetime

from django.db.models import F, Value
from django.db.models.functions import Abs, Greatest, Log, Sign

EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
HALF_DAY_SECONDS = 45000.0


def age_term(created_at):
    return (created_at - EPOCH).total_seconds() / HALF_DAY_SECONDS


def engagement_expression():
    return F("vote_score") + 2 * F("reply_count")


def hot_score_expression(created_at):
    s = engagement_expression()
    return Sign(s) * Log(Value(10.0), Greatest(Abs(s), Value(1.0))) + Value(age_term(created_at))


def hot_score_python(*, vote_score, reply_count, created_at):
    import math

    s = vote_score + 2 * reply_count
    sign = (s > 0) - (s < 0)
    return sign * math.log10(max(abs(s), 1)) + age_term(created_at)

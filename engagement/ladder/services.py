from django.utils import timezone

from forum.groups import services as group_services

from . import selectors
from .models import PromotionRule


def ladder_evaluate(*, now=None):
    """Evaluate every active rule and propose each new qualifier to the main group's owners (told once per
    run and group). Safe to run twice: an open proposal is not made again. Returns {group_id: proposed}."""
    now = now or timezone.now()
    proposed = {}
    for rule in PromotionRule.objects.filter(is_active=True, group__parent__isnull=False).select_related(
            "group__parent"):
        main = rule.group.parent
        count = 0
        for membership in selectors.qualifiers(rule=rule, now=now):
            days = (now - membership.joined_at).days
            evidence = {"source": rule.group.name, "days": days, "featured": membership.featured,
                        "level": membership.level, "clean_days": rule.clean_days}
            if group_services.promotion_propose(group=main, member=membership.member, source=rule.group,
                                                evidence=evidence):
                count += 1
        if count:
            group_services.promotion_notify_owners(group=main, count=count)
        proposed[main.pk] = proposed.get(main.pk, 0) + count
    return proposed

"""Demo content for `manage.py seed_demo`: the promotion rule of the 新人成长营 sub-group and one member
(emma_li) who meets it (45 days in the sub-group, 3 featured posts, level 4, no sanctions), proposed to
the main group's owners by the ladder. Idempotent."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from forum import services as forum
from forum.groups.models import MemberGroup, Membership
from forum.models import Post, User

from ..levels.models import MemberLevel
from . import services
from .models import PromotionRule


@transaction.atomic
def seed_demo(ctx):
    sub = MemberGroup.objects.filter(slug="ops-camp").first()
    candidate = User.objects.filter(username="emma_li").first()
    editor = User.objects.filter(is_staff=True).order_by("pk").first()
    if sub is None or candidate is None or editor is None:
        return ["ladder: skipped (no demo groups)"]
    PromotionRule.objects.get_or_create(group=sub, defaults={"min_days": 30, "min_featured_posts": 3,
                                                             "min_level": 4, "clean_days": 90})
    Membership.objects.filter(group=sub, member=candidate, joined_at__gt=timezone.now() - timedelta(days=40)).update(
        joined_at=timezone.now() - timedelta(days=45))
    if (MemberLevel.objects.filter(member=candidate).values_list("level_number", flat=True).first() or 0) < 4:
        MemberLevel.objects.update_or_create(member=candidate, defaults={"level_number": 4})
    posts = Post.objects.filter(author=candidate, is_hidden=False, is_deleted=False, topic__is_hidden=False,
                                topic__category__read_group__isnull=True).order_by("id")
    for post in posts.filter(is_featured=False)[:max(0, 3 - posts.filter(is_featured=True).count())]:
        forum.post_feature(actor=editor, post=post, featured=True, note="演示：组员的优质内容")
    proposed = services.ladder_evaluate()
    return [f"ladder: {PromotionRule.objects.count()} rules, {sum(proposed.values())} new promotion proposals"]

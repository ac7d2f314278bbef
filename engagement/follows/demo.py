"""Demo content for `manage.py seed_demo`: demo members follow each other, categories and tags, so their
/feed/ shows something on the first visit. Idempotent (following twice leaves one follow)."""

from forum.models import Category, Tag, User

from . import services
from .models import Follow

# follower: (members, category slugs, tag names)
FOLLOWS = {
    "chen_wei": (["jack_dev", "liu_yang", "mod_lin"], ["tech-qa"], ["Django"]),
    "emma_li": (["wang_fang", "sophie_w", "editor_zhou"], ["community-ops"], ["运营"]),
    "wang_fang": (["emma_li", "zhao_lei"], ["community-ops", "general"], ["活动"]),
    "jack_dev": (["chen_wei", "sophie_w"], ["tech-qa"], ["效率"]),
    "liu_yang": (["chen_wei", "jack_dev", "mia_chen"], ["tech-qa", "english-corner"], ["新手"]),
    "sophie_w": (["emma_li", "jack_dev"], ["general"], ["meta"]),
    "zhao_lei": (["wang_fang", "emma_li"], ["community-ops"], ["增长", "数据"]),
    "mia_chen": (["liu_yang", "emma_li"], ["english-corner"], ["English"]),
    "mod_lin": (["chen_wei"], ["announcements"], []),
    "editor_zhou": (["emma_li", "wang_fang"], ["general"], ["运营"]),
}


def seed_demo(ctx):
    names = set(FOLLOWS) | {m for members, _c, _t in FOLLOWS.values() for m in members}
    people = {u.username: u for u in User.objects.filter(username__in=names)}
    categories = {c.slug: c for c in Category.objects.filter(slug__in=[s for _m, cs, _t in FOLLOWS.values() for s in cs])}
    tags = {t.name: t for t in Tag.objects.filter(name__in=[n for _m, _c, ts in FOLLOWS.values() for n in ts])}
    made = 0
    for username, (members, slugs, tag_names) in FOLLOWS.items():
        follower = people.get(username)
        if follower is None:
            continue
        targets = ([{"member": people[m]} for m in members if m in people]
                   + [{"category": categories[s]} for s in slugs if s in categories]
                   + [{"tag": tags[n]} for n in tag_names if n in tags])
        for target in targets:
            _follow, created = services.follow_create(actor=follower, **target)
            made += created
    return [f"follows: {Follow.objects.count()} follows ({made} new)"]

"""Demo content for `manage.py seed_demo`: the console's rollups over the demo's whole history (what
the hourly beat task and `console_backfill` write), so /console/ has charts right after
./scripts/demo; and Emma Li, the demo's community manager, in the Operators group. Runs after the
other engagement sections (INSTALLED_APPS order), so their events, recalls and KOL scores count.
A rerun replaces the same days' rows."""

import datetime

from django.contrib.auth.models import Group
from django.db.models import Min

from forum.models import Post, User

from . import rollup
from .permissions import OPERATORS

MAX_DAYS = 120
OPERATOR = "emma_li"


def seed_demo(ctx):
    lines = []
    group, _created = Group.objects.get_or_create(name=OPERATORS)
    member = User.objects.filter(username=OPERATOR).first()
    if member is not None:
        member.groups.add(group)
        lines.append(f"console: {OPERATOR} is an operator")
    last = rollup.today()
    oldest = [at for at in (Post.objects.aggregate(m=Min("created_at"))["m"],
                            User.objects.filter(is_staff=False).aggregate(m=Min("date_joined"))["m"]) if at]
    first = max(min(rollup.local_day(at) for at in oldest) if oldest else last,
                last - datetime.timedelta(days=MAX_DAYS - 1))
    days = rollup.rollup_days(first, last)
    lines.append(f"console: rolled up {days} days ({first} to {last})")
    return lines

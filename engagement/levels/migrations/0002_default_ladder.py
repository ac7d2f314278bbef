"""The Discuz! ladder: 0, 50, 200, 500, 1000, 3000 lifetime points."""

from django.db import migrations

LADDER = [
    # number, name, min points, colour, posts/hour, links, images, polls, report weight, may apply to moderate
    (1, "新手上路", 0, "#868e96", 10, 2, 1, False, 1, False),
    (2, "注册会员", 50, "#2b8a3e", 20, 5, 5, True, 1, False),
    (3, "中级会员", 200, "#1c7ed6", 30, 10, 10, True, 2, False),
    (4, "高级会员", 500, "#7048e8", 60, None, None, True, 2, False),
    (5, "金牌会员", 1000, "#e67700", None, None, None, True, 3, True),
    (6, "论坛元老", 3000, "#c92a2a", None, None, None, True, 5, True),
]


def create_ladder(apps, schema_editor):
    Level = apps.get_model("levels", "Level")
    for number, name, points, color, per_hour, links, images, polls, weight, moderate in LADDER:
        Level.objects.get_or_create(number=number, defaults={
            "name": name, "min_points": points, "color": color, "posts_per_hour": per_hour, "max_links": links,
            "max_images": images, "can_create_polls": polls, "report_weight": weight,
            "can_apply_moderator": moderate,
        })


def remove_ladder(apps, schema_editor):
    apps.get_model("levels", "Level").objects.filter(number__in=[row[0] for row in LADDER]).delete()


class Migration(migrations.Migration):
    dependencies = [("levels", "0001_initial")]
    operations = [migrations.RunPython(create_ladder, remove_ladder)]

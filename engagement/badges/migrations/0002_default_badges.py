from django.db import migrations

BADGES = [
    # slug, name, description, icon, rule, threshold, position
    ("first-topic", "初来乍到", "发表了第一个主题", "✍️", "first_topic", None, 10),
    ("first-featured", "精华作者", "第一次有帖子被加精", "💎", "first_featured", None, 20),
    ("upvotes-100", "人气之星", "累计获得 100 个赞", "⭐", "upvotes_received", 100, 30),
    ("streak-7", "七日坚持", "连续签到 7 天", "🔥", "checkin_streak", 7, 40),
    ("streak-30", "月度全勤", "连续签到 30 天", "🏆", "checkin_streak", 30, 50),
    ("level-5", "金牌会员", "达到等级 5（金牌会员）", "🥇", "level_reached", 5, 60),
    ("kol", "KOL", "社区意见领袖", "📣", "kol", None, 70),
]


def create_badges(apps, schema_editor):
    Badge = apps.get_model("badges", "Badge")
    for slug, name, description, icon, rule, threshold, position in BADGES:
        Badge.objects.get_or_create(slug=slug, defaults={
            "name": name, "description": description, "icon": icon, "rule": rule, "threshold": threshold,
            "position": position,
        })


def remove_badges(apps, schema_editor):
    apps.get_model("badges", "Badge").objects.filter(slug__in=[b[0] for b in BADGES]).delete()


class Migration(migrations.Migration):
    dependencies = [("badges", "0001_initial")]
    operations = [migrations.RunPython(create_badges, remove_badges)]

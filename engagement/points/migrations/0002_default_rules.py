"""Discuz!-like default earning rules, and the database-level append-only guard on the ledger."""

from django.db import migrations

RULES = [
    # code, name, points, daily cap, description
    ("topic_created", "发表主题", 2, 20, "Starting a topic"),
    ("reply_created", "发表回复", 1, 30, "Replying to a topic"),
    ("upvote_received", "获得点赞", 1, 50, "An upvote from a distinct member"),
    ("featured", "主题被加精", 5, 0, "A post featured by an editor"),
    ("checkin", "每日签到", 2, 0, "The daily check-in"),
    ("checkin_streak_bonus", "连续签到奖励", 0, 0, "Points come from the streak bonus table"),
    ("poll_vote", "参与投票", 1, 10, "Voting in a poll"),
    ("event_participation", "参加活动", 5, 0, "Taking part in an event"),
    ("manual_grant", "管理员奖励", 0, 0, "A grant by staff; the amount is chosen each time"),
]


def create_rules(apps, schema_editor):
    PointsRule = apps.get_model("points", "PointsRule")
    for code, name, points, cap, description in RULES:
        PointsRule.objects.get_or_create(
            code=code, defaults={"name": name, "points": points, "daily_cap": cap, "description": description}
        )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE TRIGGER points_pointsentry_append_only BEFORE UPDATE OR DELETE ON points_pointsentry "
            "FOR EACH ROW EXECUTE FUNCTION huoli_refuse_change()"
        )


def remove_rules(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS points_pointsentry_append_only ON points_pointsentry")
    apps.get_model("points", "PointsRule").objects.filter(code__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("points", "0001_initial"), ("audit", "0002_append_only_trigger")]
    operations = [migrations.RunPython(create_rules, remove_rules)]

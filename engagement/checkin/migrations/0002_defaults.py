from django.db import migrations

BONUSES = [(7, 5), (30, 20)]


def create_defaults(apps, schema_editor):
    apps.get_model("checkin", "CheckinSettings").objects.get_or_create(
        pk=1, defaults={"makeup_enabled": True, "makeup_cost": 10})
    StreakBonus = apps.get_model("checkin", "StreakBonus")
    for day, points in BONUSES:
        StreakBonus.objects.get_or_create(streak_day=day, defaults={"points": points})


def remove_defaults(apps, schema_editor):
    apps.get_model("checkin", "StreakBonus").objects.filter(streak_day__in=[d for d, _p in BONUSES]).delete()
    apps.get_model("checkin", "CheckinSettings").objects.filter(pk=1).delete()


class Migration(migrations.Migration):
    dependencies = [("checkin", "0001_initial")]
    operations = [migrations.RunPython(create_defaults, remove_defaults)]

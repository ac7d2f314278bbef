"""The earning rule that commission rewards are paid under (the amount is each commission's reward)."""

from django.db import migrations


def create_rule(apps, schema_editor):
    apps.get_model("points", "PointsRule").objects.get_or_create(code="commission_reward", defaults={
        "name": "约稿稿酬", "points": 0, "daily_cap": 0,
        "description": "An accepted commissioned piece; the points are the commission's reward"})


def remove_rule(apps, schema_editor):
    apps.get_model("points", "PointsRule").objects.filter(code="commission_reward").delete()


class Migration(migrations.Migration):
    dependencies = [("commissions", "0001_commissions"), ("points", "0002_default_rules")]
    operations = [migrations.RunPython(create_rule, remove_rule)]

"""The earning rule that task rewards are paid under (the amount is each task's reward)."""

from django.db import migrations


def create_rule(apps, schema_editor):
    apps.get_model("points", "PointsRule").objects.get_or_create(code="task_reward", defaults={
        "name": "完成任务", "points": 0, "daily_cap": 0,
        "description": "A completed task or mission; the points are the task's reward"})


def remove_rule(apps, schema_editor):
    apps.get_model("points", "PointsRule").objects.filter(code="task_reward").delete()


class Migration(migrations.Migration):
    dependencies = [("tasks", "0001_tasks_progress"), ("points", "0002_default_rules")]
    operations = [migrations.RunPython(create_rule, remove_rule)]

"""The recall bonus earning rule (the amount is chosen per campaign) and a default recall template."""

from django.db import migrations

SUBJECT = "{name}，好久不见，社区想你了"
BODY = """{name}，你好！

你上次来 {site_name} 是在 {last_active}。这段时间社区里有不少新讨论，很多话题都期待你的看法。

回来看看吧：{url}

14 天内回来发帖或点赞，可以获得 {bonus} 积分的回归奖励（为 0 时表示本次没有奖励）。

—— {site_name} 运营团队
"""


def create(apps, schema_editor):
    PointsRule = apps.get_model("points", "PointsRule")
    PointsRule.objects.get_or_create(code="recall_bonus", defaults={
        "name": "回归奖励", "points": 0, "daily_cap": 0,
        "description": "Bonus for coming back after a recall; the amount is set per campaign"})
    RecallTemplate = apps.get_model("lifecycle", "RecallTemplate")
    if not RecallTemplate.objects.exists():
        RecallTemplate.objects.create(name="默认召回模板", subject=SUBJECT, body=BODY)


def remove(apps, schema_editor):
    apps.get_model("points", "PointsRule").objects.filter(code="recall_bonus").delete()


class Migration(migrations.Migration):
    dependencies = [("lifecycle", "0001_initial"), ("points", "0002_default_rules")]
    operations = [migrations.RunPython(create, remove)]

from django.db import migrations, models


class Migration(migrations.Migration):
    """Topic.sections: the keys of the sections other apps add to the topic page (polls, lottery
    cards). The polls and lotteries apps fill it for existing topics in their own data migrations."""

    dependencies = [
        ("forum", "0005_moderation"),
    ]

    operations = [
        migrations.AddField(
            model_name="topic",
            name="sections",
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
    ]

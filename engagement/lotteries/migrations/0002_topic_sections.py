from django.db import migrations

KEY = "lottery"


def forwards(apps, schema_editor):
    """Existing topics that announce lotteries show their cards (Topic.sections carries "lottery")."""
    Lottery = apps.get_model("lotteries", "Lottery")
    Topic = apps.get_model("forum", "Topic")
    topic_ids = set(Lottery.objects.filter(topic__isnull=False).values_list("topic_id", flat=True))
    for topic in Topic.objects.filter(pk__in=topic_ids).only("pk", "sections").iterator():
        if KEY not in (topic.sections or []):
            Topic.objects.filter(pk=topic.pk).update(sections=[*(topic.sections or []), KEY])


def backwards(apps, schema_editor):
    Topic = apps.get_model("forum", "Topic")
    for topic in Topic.objects.exclude(sections=[]).only("pk", "sections").iterator():
        if KEY in (topic.sections or []):
            Topic.objects.filter(pk=topic.pk).update(sections=[k for k in topic.sections if k != KEY])


class Migration(migrations.Migration):
    dependencies = [
        ("lotteries", "0001_initial"),
        ("forum", "0006_topic_sections"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

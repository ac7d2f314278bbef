from django.db import migrations

OPERATORS = "Operators"


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=OPERATORS)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=OPERATORS).delete()


class Migration(migrations.Migration):
    dependencies = [("console", "0001_rollups"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_group, remove_group)]

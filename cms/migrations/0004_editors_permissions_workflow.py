"""The Editors group runs the editorial pages: on the HomePage and everything under it they may add,
edit, publish, lock and unlock pages. Pages under the HomePage follow the "Editorial review"
workflow (one task, approved by any editor): an editor may publish at once, or submit a page for a
second editor's review; other contributors (with add/edit only) must submit it."""

from django.db import migrations

PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
WORKFLOW_NAME = "Editorial review"
TASK_NAME = "Editors' review"


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    HomePage = apps.get_model("cms", "HomePage")

    home = HomePage.objects.first()
    editors, _created = Group.objects.get_or_create(name="Editors")
    admin_ct, _created = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access, _created = Permission.objects.get_or_create(content_type=admin_ct, codename="access_admin",
                                                        defaults={"name": "Can access Wagtail admin"})
    editors.permissions.add(access)
    if home is None:
        return
    page_ct, _created = ContentType.objects.get_or_create(app_label="wagtailcore", model="page")
    for codename in PAGE_PERMISSIONS:
        perm, _created = Permission.objects.get_or_create(
            content_type=page_ct, codename=codename, defaults={"name": f"Can {codename.replace('_', ' ')}"})
        GroupPagePermission.objects.get_or_create(group=editors, page_id=home.pk, permission=perm)

    task_ct, _created = ContentType.objects.get_or_create(app_label="wagtailcore", model="groupapprovaltask")
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK_NAME, content_type=task_ct, active=True)
    task.groups.add(editors)
    workflow, _created = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page_id=home.pk, defaults={"workflow": workflow})


def backwards(apps, schema_editor):
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    HomePage = apps.get_model("cms", "HomePage")
    home = HomePage.objects.first()
    if home is not None:
        WorkflowPage.objects.filter(page_id=home.pk, workflow__name=WORKFLOW_NAME).delete()
        GroupPagePermission.objects.filter(group__name="Editors", page_id=home.pk).delete()
    Workflow.objects.filter(name=WORKFLOW_NAME).update(active=False)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0003_editorial_pages"),
        ("forum", "0002_groups"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]

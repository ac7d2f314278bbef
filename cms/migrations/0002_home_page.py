"""Make a HomePage the root of the default Wagtail site (replacing Wagtail's welcome page)."""

from django.db import migrations


def create_home(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    Locale = apps.get_model("wagtailcore", "Locale")
    HomePage = apps.get_model("cms", "HomePage")

    Page.objects.filter(depth=2, slug="home", content_type__app_label="wagtailcore").delete()
    root = Page.objects.filter(depth=1).first()
    if root is None or HomePage.objects.exists():
        return
    ct, _ = ContentType.objects.get_or_create(model="homepage", app_label="cms")
    locale = Locale.objects.first()
    siblings = Page.objects.filter(depth=2).count()
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    n = siblings + 1
    seg = ""
    for _i in range(4):
        n, r = divmod(n, 36)
        seg = alphabet[r] + seg
    home = HomePage.objects.create(
        title="活力社区 Huoli", draft_title="活力社区 Huoli", slug="home", content_type=ct,
        path=root.path + seg, depth=2, numchild=0, url_path="/home/", locale=locale, live=True,
        intro="<p>欢迎来到活力社区。</p>",
    )
    Page.objects.filter(pk=root.pk).update(numchild=Page.objects.filter(depth=2).count())
    Site.objects.filter(is_default_site=True).delete()
    Site.objects.create(hostname="localhost", root_page_id=home.pk, is_default_site=True, site_name="Huoli 活力")


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]
    operations = [migrations.RunPython(create_home, migrations.RunPython.noop)]

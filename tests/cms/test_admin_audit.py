"""Changes staff make in the Wagtail admin (pages here; snippets and settings through the same hooks)
are in the audit log with who, what, when, the object and the fields before and after."""

import pytest
from wagtail.models import Page
from wagtail.test.utils.form_data import nested_form_data, streamfield

from audit.models import AuditLog
from cms.models import StandardPage
from forum.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    staff = User.objects.create_superuser("cmsroot", "cms@example.com", "correct-horse-battery")
    client.force_login(staff)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.staff = staff
    return client


def entries(**filters):
    return list(AuditLog.objects.filter(action__startswith="settings.", data__via="wagtail-admin", **filters)
                .order_by("id"))


def test_page_create_edit_and_delete_are_recorded(staff_client):
    parent = Page.objects.filter(depth=2).first().specific
    data = nested_form_data({"title": "Rules", "slug": "rules", "body": streamfield([])})
    response = staff_client.post(f"/cms/pages/add/cms/standardpage/{parent.pk}/", data)
    assert response.status_code == 302, response.content[:3000]
    page = StandardPage.objects.get(slug="rules")
    [created] = entries(action="settings.create")
    assert created.actor == staff_client.staff and created.target_id == str(page.pk)
    assert created.target_type == "cms.standardpage" and created.after["title"] == "Rules"

    data = nested_form_data({"title": "House rules", "slug": "rules", "body": streamfield([])})
    response = staff_client.post(f"/cms/pages/{page.pk}/edit/", data)
    assert response.status_code == 302, response.content[:3000]
    [changed] = entries(action="settings.change")
    assert changed.before == {"title": "Rules"} and changed.after == {"title": "House rules"}

    response = staff_client.post(f"/cms/pages/{page.pk}/delete/")
    assert response.status_code == 302
    assert not StandardPage.objects.filter(pk=page.pk).exists()
    [deleted] = entries(action="settings.delete")
    assert deleted.target_id == str(page.pk) and deleted.before["title"] == "House rules"


def test_publishing_is_recorded(staff_client):
    parent = Page.objects.filter(depth=2).first().specific
    data = nested_form_data({"title": "Help", "slug": "help", "body": streamfield([]), "action-publish": "publish"})
    response = staff_client.post(f"/cms/pages/add/cms/standardpage/{parent.pk}/", data)
    assert response.status_code == 302, response.content[:3000]
    page = StandardPage.objects.get(slug="help")
    assert page.live
    assert sorted(e.action for e in entries(target_id=str(page.pk))) == ["settings.create", "settings.publish"]

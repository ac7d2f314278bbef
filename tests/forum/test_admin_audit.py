"""Settings changes in the Django admin are in the audit log (who, what, when, the object, the fields
before and after, deletes included), staff can filter them on /mod/audit/, and saving a category in
the admin never overwrites its counters."""

import datetime
import re

import pytest
from django.forms import MultiWidget
from django.urls import reverse

from audit.models import AuditLog
from engagement.checkin.models import StreakBonus
from engagement.levels.models import Level
from engagement.points.models import CategoryMultiplier, PointsRule
from forum import services
from forum.models import Category, User
from forum.moderation.models import SpamWord
from tests.factories import TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return User.objects.create_superuser("rootadmin", "root@example.com", "correct-horse-battery")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _field_data(form, data):
    for name, field in form.fields.items():
        if field.disabled:
            continue
        key = form.add_prefix(name)
        value = form[name].value()
        widget = field.widget
        if isinstance(widget, MultiWidget):
            parts = widget.decompress(value)
            for i, part in enumerate(parts):
                data[f"{key}_{i}"] = "" if part is None else str(part)
        elif isinstance(value, bool):
            if value:
                data[key] = "on"
        elif isinstance(value, list | tuple):
            data[key] = [str(v.pk if hasattr(v, "pk") else v) for v in value]
        elif isinstance(value, datetime.datetime):
            data[key] = value.strftime("%Y-%m-%d %H:%M:%S")
        elif value is not None:
            data[key] = str(value.pk if hasattr(value, "pk") else value)


def change_form_data(response):
    """The POST data of an admin add/change page as the browser would send it unchanged."""
    data = {}
    _field_data(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{name}"] = "" if value is None else str(value)
        for form in formset.initial_forms:
            _field_data(form, data)
    return data


def entries(**filters):
    return list(AuditLog.objects.filter(action__startswith="settings.", **filters).order_by("id"))


# --- the generic admin mixin ------------------------------------------------------------------------
def test_level_change_records_who_what_and_field_diffs(staff_client, staff):
    level = Level.objects.get(number=1)
    url = reverse("admin:levels_level_change", args=[level.pk])
    data = change_form_data(staff_client.get(url))
    assert data["votes_per_day"] == "30"
    data.update(votes_per_day="45", max_links="3")
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    [entry] = entries(target_type="levels.level")
    assert entry.action == "settings.change" and entry.actor == staff
    assert entry.target_id == str(level.pk) and "Lv1" in entry.target_repr
    assert entry.before == {"votes_per_day": 30, "max_links": 2}
    assert entry.after == {"votes_per_day": 45, "max_links": 3}
    assert entry.data["via"] == "django-admin" and entry.created_at is not None


def test_saving_without_changes_records_nothing(staff_client):
    level = Level.objects.get(number=2)
    url = reverse("admin:levels_level_change", args=[level.pk])
    assert staff_client.post(url, change_form_data(staff_client.get(url))).status_code == 302
    assert entries() == []


def test_create_and_delete_are_recorded(staff_client, staff):
    url = reverse("admin:levels_level_add")
    data = change_form_data(staff_client.get(url))
    data.update(number="7", name="传奇", min_points="9000", color="#000000", report_weight="6")
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    level = Level.objects.get(number=7)
    [created] = entries(action="settings.create")
    assert created.after["name"] == "传奇" and created.after["min_points"] == 9000 and created.before == {}

    response = staff_client.post(reverse("admin:levels_level_delete", args=[level.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Level.objects.filter(number=7).exists()
    [deleted] = entries(action="settings.delete")
    assert deleted.actor == staff and deleted.target_id == str(level.pk)
    assert deleted.before["name"] == "传奇" and deleted.before["min_points"] == 9000 and deleted.after == {}


def test_bulk_delete_action_records_each_object(staff_client):
    words = [SpamWord.objects.create(word=w) for w in ("casino", "viagra")]
    response = staff_client.post(reverse(f"admin:{SpamWord._meta.app_label}_spamword_changelist"), {
        "action": "delete_selected", "_selected_action": [w.pk for w in words], "post": "yes"})
    assert response.status_code == 302
    assert not SpamWord.objects.exists()
    assert sorted(e.before["word"] for e in entries(action="settings.delete")) == ["casino", "viagra"]


def test_list_editable_changes_are_recorded(staff_client):
    bonus = StreakBonus.objects.order_by("streak_day").first() or StreakBonus.objects.create(streak_day=3, points=5)
    url = reverse("admin:checkin_streakbonus_changelist")
    response = staff_client.get(url)
    formset = response.context["cl"].formset
    data = {"_save": "Save"}
    for name, value in formset.management_form.initial.items():
        data[f"{formset.prefix}-{name}"] = str(value)
    for form in formset.forms:
        _field_data(form, data)
        if form.instance.pk == bonus.pk:
            data[form.add_prefix("points")] = str(bonus.points + 7)
    response = staff_client.post(url, data)
    assert response.status_code == 302
    [entry] = entries(target_type="checkin.streakbonus")
    assert entry.before == {"points": bonus.points} and entry.after == {"points": bonus.points + 7}


def test_inline_rows_are_recorded_as_their_own_objects(staff_client, category):
    rule = PointsRule.objects.get(code=PointsRule.REPLY_CREATED)
    url = reverse("admin:points_pointsrule_change", args=[rule.pk])
    data = change_form_data(staff_client.get(url))
    prefix = next(k for k in data if k.endswith("-TOTAL_FORMS")).removesuffix("-TOTAL_FORMS")
    data[f"{prefix}-TOTAL_FORMS"] = str(int(data[f"{prefix}-TOTAL_FORMS"]) + 1)
    index = int(data[f"{prefix}-INITIAL_FORMS"])
    data[f"{prefix}-{index}-category"] = str(category.pk)
    data[f"{prefix}-{index}-multiplier"] = "2.50"
    data["points"] = str(rule.points + 1)
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    multiplier = CategoryMultiplier.objects.get(rule=rule, category=category)
    rule_entry = entries(target_type="points.pointsrule").pop()
    assert rule_entry.after == {"points": rule.points + 1}
    [row] = entries(target_type="points.categorymultiplier")
    assert row.action == "settings.create" and row.target_id == str(multiplier.pk)
    assert row.after["multiplier"] == "2.50" and row.after["category"] == category.pk
    assert row.scope_id == category.pk  # the category's moderators may read it


def test_member_permission_change_is_recorded_without_the_password(staff_client, member):
    url = reverse("admin:forum_user_change", args=[member.pk])
    data = change_form_data(staff_client.get(url))
    data["is_staff"] = "on"
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    [entry] = entries(target_type="forum.user")
    assert entry.before == {"is_staff": False} and entry.after == {"is_staff": True}
    assert "password" not in str(entry.before) + str(entry.after)


def test_category_approval_setting_change_is_scoped_to_the_category(staff_client, category):
    url = reverse("admin:forum_category_change", args=[category.pk])
    data = change_form_data(staff_client.get(url))
    data["approve_new_members"] = "on"
    assert staff_client.post(url, data).status_code == 302
    [entry] = entries(target_type="forum.category")
    assert entry.after == {"approve_new_members": True} and entry.scope_id == category.pk


def test_staff_filter_settings_changes_on_the_audit_page(staff_client):
    level = Level.objects.get(number=3)
    url = reverse("admin:levels_level_change", args=[level.pk])
    data = change_form_data(staff_client.get(url))
    data["reports_per_day"] = "12"
    staff_client.post(url, data)
    SpamWord.objects.create(word="spamword")

    page = staff_client.get("/mod/audit/", {"action": "settings.", "object": "levels.level"})
    html = page.content.decode()
    from audit import labels

    # the action and the changed field read as words, the values as a before/after table
    assert page.status_code == 200 and labels.action_text("settings.change") in html
    assert "settings.change" not in html.replace('value="settings.change"', "")
    field = str(Level._meta.get_field("reports_per_day").verbose_name)
    assert re.search(rf"<th scope=\"row\">{re.escape(field)}</th><td>[^<]+</td><td>12</td>", html), html[-3000:]
    assert "{'" not in html
    assert list(staff_client.get("/mod/audit/", {"object": f"levels.level:{level.pk + 100}"}).context["entries"]) == []
    csv = b"".join(staff_client.get("/mod/audit/", {"action": "settings.", "format": "csv"}).streaming_content)
    assert b"settings.change" in csv and b"levels.level" in csv


def test_category_moderators_do_not_see_other_settings_changes(client, staff_client, moderator):
    level = Level.objects.get(number=4)
    url = reverse("admin:levels_level_change", args=[level.pk])
    data = change_form_data(staff_client.get(url))
    data["reports_per_day"] = "16"
    staff_client.post(url, data)
    assert entries()
    client.force_login(moderator)
    response = client.get("/mod/audit/", {"action": "settings."})
    assert response.status_code == 200 and list(response.context["entries"]) == []


# --- categories keep their counters ---------------------------------------------------------------
def test_category_admin_save_keeps_counters_that_changed_meanwhile(staff_client, category, member, monkeypatch):
    TopicFactory.create(author=member, category=category)
    url = reverse("admin:forum_category_change", args=[category.pk])
    data = change_form_data(staff_client.get(url))
    data["description"] = "New description"

    from forum.admin import CategoryForm

    original_clean = CategoryForm.clean

    def clean_while_a_topic_arrives(form):
        # the admin has read the category; a member posts before it saves
        TopicFactory.create(author=member, category=form.instance)
        return original_clean(form)

    monkeypatch.setattr(CategoryForm, "clean", clean_while_a_topic_arrives)
    response = staff_client.post(url, data)
    assert response.status_code == 302
    category.refresh_from_db()
    assert category.description == "New description"
    assert (category.topic_count, category.post_count) == (2, 2)
    newest = category.topics.order_by("-id").first()
    assert category.last_topic_id == newest.pk and category.last_activity_at == newest.last_activity_at


def test_category_list_editable_save_keeps_counters(staff_client, category, member):
    stale = Category.objects.get(pk=category.pk)
    TopicFactory.create(author=member, category=category)
    from django.contrib import admin as django_admin

    from forum.admin import CategoryForm

    model_admin = django_admin.site._registry[Category]
    form = CategoryForm(data={"name": stale.name, "slug": stale.slug, "description": "", "color": "#123456",
                              "position": "4"}, instance=stale)
    assert form.is_valid(), form.errors
    request = staff_client.get("/").wsgi_request
    request.user = User.objects.get(username="rootadmin")
    model_admin.save_model(request, form.save(commit=False), form, change=True)
    category.refresh_from_db()
    assert (category.color, category.position) == ("#123456", 4)
    assert (category.topic_count, category.post_count) == (1, 1)


def test_user_admin_save_keeps_activity_counters(staff_client, member, category):
    url = reverse("admin:forum_user_change", args=[member.pk])
    data = change_form_data(staff_client.get(url))
    data["bio"] = "Edited by staff"
    topic = TopicFactory.create(author=member, category=category)
    services.post_create(actor=member, topic=topic, body="another")
    response = staff_client.post(url, data)
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.bio == "Edited by staff" and (member.topic_count, member.post_count) == (1, 2)


def test_group_permission_changes_are_recorded(staff_client, staff):
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.get(name="Editors")
    url = reverse("admin:auth_group_change", args=[group.pk])
    data = change_form_data(staff_client.get(url))
    added = Permission.objects.get(codename="add_tag", content_type__app_label="forum")
    data["permissions"] = [*data.get("permissions", []), str(added.pk)]
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    [entry] = entries(target_type="auth.group")
    assert entry.action == "settings.change" and entry.actor == staff and entry.target_id == str(group.pk)
    assert "permissions" in entry.after and "permissions" in entry.before
    assert entry.after["permissions"] != entry.before["permissions"]


# --- the audit log reads as words -----------------------------------------------------------------
def test_audit_values_read_as_words():
    from django.utils import translation

    from audit import labels

    with translation.override("zh-hans"):
        assert labels.value_text(True) == "是" and labels.value_text(False) == "否"
        assert labels.action_text("moderation.member_ban") == "封禁会员"
        assert labels.target_type_label("forum.topic") == "话题"
    assert labels.value_text(None) == "—" and labels.value_text(["a", "b"]) == "a, b"
    assert labels.value_text("2026-12-04T01:30:00+00:00") == "2026-12-04 09:30"  # in the site's time zone
    assert labels.action_text("nobody.registered_this") == "nobody.registered_this"


def test_a_moderator_reads_their_own_event_actions_and_labels_link_to_objects(client, db):
    from django.contrib.auth.models import Group

    from audit.log import audit_record

    moderator = User.objects.create_user("modder", "modder@example.com", "x")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    other = User.objects.create_superuser("otherstaff", "o@example.com", "x")
    topic = TopicFactory.create()
    audit_record(actor=moderator, action="event.create", reason="春季活动", target=topic.category)
    audit_record(actor=other, action="points.grant", reason="someone else's", target=topic.category)
    audit_record(actor=other, action="moderation.topic_lock", reason="吵架", target=topic,
                 before={"is_locked": False}, after={"is_locked": True})
    client.force_login(moderator)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    html = client.get("/mod/audit/").content.decode()
    assert "春季活动" in html and "创建活动" in html  # their own, labelled
    assert "someone else's" not in html
    assert "锁定话题" in html and f'href="/t/{topic.pk}/"' in html
    assert re.search(r'<th scope="row">[^<]+</th><td>否</td><td>是</td>', html)

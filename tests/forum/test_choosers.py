"""The choosers of staff screens (forum/choosers.py, forum/widgets.py): a search endpoint per kind (staff only,
rate-limited, ten a page, 4xx on bad input) and the widget and fields the forms use, with and without
JavaScript."""

import pytest
from django.urls import reverse

from forum import choosers
from forum.models import Category
from forum.moderation.forms import AppointForm, AuditFilterForm, TopicModerationForm
from tests.factories import CategoryFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def _get(client, kind, **params):
    return client.get(reverse("forum:chooser", args=[kind]), params)


def test_guests_and_plain_members_get_no_results(client, member):
    TopicFactory.create(title="社区运营的秘密")
    assert _get(client, "topics", q="社区").status_code == 401
    client.force_login(member)
    response = _get(client, "topics", q="社区")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "staff_only"
    assert "results" not in response.json()


def test_topics_by_chinese_text_and_by_number(client, moderator):
    wanted = TopicFactory.create(title="如何发掘社区中的KOL用户")
    TopicFactory.create(title="周末爬山活动")
    client.force_login(moderator)
    data = _get(client, "topics", q="发掘社区").json()
    assert [r["value"] for r in data["results"]] == [str(wanted.pk)]
    assert data["results"][0]["label"] == "如何发掘社区中的KOL用户"
    assert f"#{wanted.pk}" in data["results"][0]["detail"]
    by_number = _get(client, "topics", q=f"#{wanted.pk}").json()["results"]
    assert str(wanted.pk) in [r["value"] for r in by_number]
    by_link = _get(client, "topics", q=f"https://example.com/t/{wanted.pk}/slug/").json()["results"]
    assert [r["value"] for r in by_link] == [str(wanted.pk)]


def test_members_by_username_and_by_display_name(client, moderator):
    UserFactory(username="zhangwei", display_name="张伟")
    UserFactory(username="lina", display_name="李娜")
    client.force_login(moderator)
    assert [r["value"] for r in _get(client, "members", q="zhang").json()["results"]] == ["zhangwei"]
    rows = _get(client, "members", q="李娜").json()["results"]
    assert rows == [{"value": "lina", "label": "李娜", "detail": "@lina"}]
    assert [r["value"] for r in _get(client, "members", q="@lina").json()["results"]] == ["lina"]


def test_categories_by_name(client, moderator):
    CategoryFactory(name="技术问答", slug="tech-qa")
    client.force_login(moderator)
    assert _get(client, "categories", q="问答").json()["results"] == [
        {"value": "tech-qa", "label": "技术问答", "detail": "tech-qa"}]


def test_ten_a_page_and_the_next_page(client, moderator):
    for n in range(23):
        UserFactory(username=f"pager{n:02d}")
    client.force_login(moderator)
    first = _get(client, "members", q="pager").json()
    assert len(first["results"]) == 10 and first["has_next"] and not first["has_previous"]
    third = _get(client, "members", q="pager", page=3).json()
    assert [r["value"] for r in third["results"]] == ["pager20", "pager21", "pager22"]
    assert not third["has_next"] and third["has_previous"]
    seen = {r["value"] for p in (1, 2, 3) for r in _get(client, "members", q="pager", page=p).json()["results"]}
    assert len(seen) == 23


@pytest.mark.parametrize("params", [{"page": "0"}, {"page": "x"}, {"page": "501"}, {"q": "长" * 101},
                                    {"q": "a\x00b"}])
def test_bad_input_is_a_400_with_a_message(client, moderator, params):
    client.force_login(moderator)
    response = _get(client, "topics", **params)
    assert response.status_code == 400
    if response["Content-Type"].startswith("application/json"):  # NUL is refused earlier, by the middleware
        assert response.json()["error"]["message"]
    else:
        assert "\x00" in params["q"]


def test_unknown_kind_is_a_404(client, moderator):
    client.force_login(moderator)
    assert _get(client, "posts", q="x").status_code == 404


def test_rate_limited(client, moderator, monkeypatch):
    monkeypatch.setattr(choosers, "RATE", (3, 60))
    client.force_login(moderator)
    assert [_get(client, "members", q="a").status_code for _ in range(4)] == [200, 200, 200, 429]
    response = _get(client, "members", q="a")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0


def test_category_moderators_search_only_what_they_may_read(client):
    from django.contrib.auth.models import Group

    from forum.moderation.models import CategoryModerator

    staff_only = Group.objects.create(name="Insiders")
    secret = CategoryFactory(name="内部讨论", slug="inside", read_group=staff_only)
    mine = CategoryFactory(name="公开讨论", slug="open")
    mod = UserFactory(moderates_categories=True)
    CategoryModerator.objects.create(member=mod, category=mine, appointed_by=mod)
    insider = UserFactory()
    insider.groups.add(staff_only)
    TopicFactory.create(title="内部的话题", category=secret, author=insider)
    TopicFactory.create(title="公开的话题", category=mine)
    client.force_login(mod)
    response = _get(client, "topics", q="话题")
    assert response.status_code == 200, response.json()
    titles = [r["label"] for r in response.json()["results"]]
    assert titles == ["公开的话题"]


# --- the widget and fields --------------------------------------------------------------------------
def test_widget_renders_a_labelled_combobox_with_the_chosen_label(moderator):
    topic = TopicFactory.create(title="合并目标话题")
    html = str(TopicModerationForm(initial={"target": topic.pk})["target"])
    assert 'role="combobox"' in html and 'aria-controls="id_target-listbox"' in html
    assert 'role="listbox"' in html
    assert f'name="target" value="{topic.pk}"' in html
    assert 'value="合并目标话题"' in html
    assert reverse("forum:chooser", args=["topics"]) in html
    assert "<script" not in html and "style=" not in html


def test_field_takes_the_hidden_key_the_script_filled(moderator):
    topic = TopicFactory.create(title="合并目标话题")
    form = TopicModerationForm({"target": str(topic.pk), "target__search": "合并目标话题",
                                "target__label": "合并目标话题"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["target"] == topic.pk


def test_without_javascript_a_typed_number_link_or_exact_title_works(moderator):
    topic = TopicFactory.create(title="独一无二的标题")
    for typed in (str(topic.pk), f"/t/{topic.pk}/x/", "独一无二的标题"):
        form = TopicModerationForm({"target": "", "target__search": typed})
        assert form.is_valid(), (typed, form.errors)
        assert form.cleaned_data["target"] == topic.pk


def test_typing_over_a_chosen_topic_uses_the_typed_text(moderator):
    first = TopicFactory.create(title="第一个话题")
    second = TopicFactory.create(title="第二个话题")
    form = TopicModerationForm({"target": str(first.pk), "target__label": "第一个话题", "target__search": "第二个话题"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["target"] == second.pk


def test_unknown_typed_text_is_a_form_error(moderator):
    form = TopicModerationForm({"target": "", "target__search": "没有这个话题"})
    assert not form.is_valid()
    assert "没有这个话题" in form.errors["target"][0]


def test_member_and_category_fields(moderator):
    CategoryFactory(name="技术问答", slug="tech-qa")
    UserFactory(username="zhangwei", display_name="张伟")
    form = AppointForm({"username": "zhangwei", "category": "", "category__search": "技术问答"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"username": "zhangwei", "category": "tech-qa", "reason": ""}
    assert Category.objects.filter(slug=form.cleaned_data["category"]).exists()


def test_several_topics(moderator):
    from engagement.events.forms import EventForm

    a, b = TopicFactory.create(title="甲话题一"), TopicFactory.create(title="乙话题二")
    form = EventForm({"title": "活动", "topics": [str(b.pk)], "topics__search": f"{a.pk}, 乙话题二"})
    form.is_valid()
    assert "topics" not in form.errors
    assert form.cleaned_data["topics"] == sorted([a.pk, b.pk])
    html = str(EventForm(initial={"topics": f"{a.pk}, {b.pk}"})["topics"])
    assert "甲话题一" in html and "乙话题二" in html and html.count('type="hidden" name="topics"') == 3  # two + the template


def test_audit_filter_form_reads_a_plain_username_from_a_link(moderator):
    UserFactory(username="lina")
    form = AuditFilterForm({"actor": "lina"}, user=moderator)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["actor"] == "lina"


def test_a_bound_form_drawn_again_shows_the_label_or_the_typed_text(moderator):
    topic = TopicFactory.create(title="再次显示的话题")
    chosen = TopicModerationForm({"target": str(topic.pk), "target__search": "再次显示的话题",
                                  "target__label": "再次显示的话题"})
    html = str(chosen["target"])
    assert 'value="再次显示的话题"' in html and "{&#x27;keys" not in html
    typed = TopicModerationForm({"target": "", "target__search": "随便打的字"})
    html = str(typed["target"])
    assert 'value="随便打的字"' in html and "{&#x27;keys" not in html

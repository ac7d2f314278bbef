"""The search page, the suggestion endpoint and the API, as a reader sees them."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from forum.moderation import registry
from search import services
from search.backends.base import reset_backend
from tests.factories import CategoryFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(settings, moderator):
    settings.SEARCH_BACKEND = "database"
    reset_backend()
    s = type("Site", (), {})()
    s.author = UserFactory(username="writer")
    s.insider = UserFactory(username="insider")
    group = Group.objects.create(name="Core")
    s.insider.groups.add(group)
    s.open = CategoryFactory(name="运营", slug="ops")
    s.private = CategoryFactory(name="内部", slug="inner", read_group=group)
    s.kol = TopicFactory.create(author=s.author, category=s.open, title="如何发掘社区中的KOL用户",
                                body="社区 <b>增长</b> & growth", tags=["运营"])
    s.secret = TopicFactory.create(author=s.insider, category=s.private, title="内部社区预算讨论", body="预算 budget")
    s.hidden = TopicFactory.create(author=s.author, category=s.open, title="隐藏的社区广告", body="spam")
    registry.run("topic", "hide", actor=moderator, obj=s.hidden)
    for i in range(25):
        TopicFactory.create(author=UserFactory(), category=s.open, title=f"分页测试话题第{i}号", body=f"分页 paging {i}")
    services.rebuild()
    yield s
    reset_backend()


def test_page_shows_highlighted_safe_results(client, site):
    response = client.get(reverse("search:search"), {"q": "社区"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<mark>社区</mark>" in html
    assert "&lt;b&gt;" in html or "增长" in html
    assert "<b>增长</b>" not in html
    assert "预算讨论" not in html and "广告" not in html
    assert 'data-suggest-url="/search/suggest/"' in html
    assert "search/search-suggest.js" in html


def test_private_results_for_members_of_the_group(client, site):
    client.force_login(site.insider)
    html = client.get(reverse("search:search"), {"q": "社区"}).content.decode()
    assert "内部<mark>社区</mark>预算讨论" in html


def test_empty_state_and_no_result_help(client, site):
    html = client.get(reverse("search:search")).content.decode()
    assert "Type a few words" in html or "输入" in html
    html = client.get(reverse("search:search"), {"q": "社区 不存在的词语", "category": "ops"}).content.decode()
    assert "any=1" in html  # results for some of the words
    assert "q=%E7%A4%BE%E5%8C%BA" in html  # a link that drops the category filter keeps the words


def test_pagination_and_filters(client, site):
    first = client.get(reverse("search:search"), {"q": "分页", "sort": "newest"}).content.decode()
    assert "page=2" in first and first.count('class="search-hit"') == 20
    second = client.get(reverse("search:search"), {"q": "分页", "sort": "newest", "page": 2}).content.decode()
    assert second.count('class="search-hit"') == 5
    by_tag = client.get(reverse("search:search"), {"q": "社区", "tag": "运营"}).content.decode()
    assert by_tag.count('class="search-hit"') == 1


def test_bad_input_gets_a_clear_message(client, site):
    html = client.get(reverse("search:search"), {"q": "x" * 300}).content.decode()
    assert "too long" in html or "太长" in html
    html = client.get(reverse("search:search"), {"q": "社区", "category": "inner"}).content.decode()
    assert "no such category" in html or "没有" in html  # a private category is not revealed
    html = client.get(reverse("search:search"), {"q": "社区", "date_from": "2025-02-01", "date_to": "2025-01-01"})
    assert "before the start date" in html.content.decode() or "早于" in html.content.decode()
    html = client.get(reverse("search:search"), {"q": "社区", "date_from": "yesterday"}).content.decode()
    assert "2025-01-31" in html


def test_hidden_filter_only_for_moderators(client, site, moderator):
    html = client.get(reverse("search:search"), {"q": "社区", "hidden": "1"}).content.decode()
    assert "广告" not in html
    client.force_login(moderator)
    html = client.get(reverse("search:search"), {"q": "社区", "hidden": "1"}).content.decode()
    assert "隐藏的<mark>社区</mark>广告" in html


def test_suggest_json_and_htmx_fragment(client, site):
    data = client.get(reverse("search:suggest"), {"q": "社区"}).json()
    assert [s["title"] for s in data["suggestions"]] == ["如何发掘社区中的KOL用户"]
    assert "<mark>社区</mark>" in data["suggestions"][0]["title_html"]
    fragment = client.get(reverse("search:suggest"), {"q": "社区"}, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.startswith("<ul") and f'href="{site.kol.get_absolute_url()}"' in fragment
    assert "内部" not in fragment and "隐藏" not in fragment
    assert client.get(reverse("search:suggest"), {"q": ""}).json() == {"q": "", "suggestions": []}
    too_long = client.get(reverse("search:suggest"), {"q": "x" * 500})
    assert too_long.status_code == 400 and too_long.json()["error"]["field"] == "q"


def test_api_search_and_suggest(client, site):
    data = client.get("/api/v1/search", {"q": "社区", "per_page": 5}).json()
    assert data["total"] == 1 and data["results"][0]["topic_id"] == site.kol.pk
    assert data["results"][0]["category"]["slug"] == "ops"
    assert data["facets"]["tag"] == [{"key": "运营", "label": "运营", "count": 1}]
    bad = client.get("/api/v1/search", {"q": "社区", "sort": "random"})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "sort"
    private = client.get("/api/v1/search", {"q": "社区", "category": "inner"})
    assert private.status_code == 400 and private.json()["error"]["field"] == "category"
    suggestions = client.get("/api/v1/search/suggest", {"q": "分页测试"}).json()["suggestions"]
    assert len(suggestions) == 8
    assert client.get("/api/v1/search/suggest", {"q": "a", "limit": 99}).status_code == 400

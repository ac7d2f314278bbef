"""The similar-topics hint of the new-topic form (issue 15): /search/similar/ asks the search
backend for topics sharing *any* word of the title being typed, so a new title that words the same
question differently still finds the old topic (the all-words suggest missed it)."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from forum.moderation import registry
from search import services
from search.backends.base import reset_backend
from tests.factories import CategoryFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus(settings, moderator):
    settings.SEARCH_BACKEND = "database"
    reset_backend()
    c = type("Corpus", (), {})()
    author = UserFactory()
    c.insider = UserFactory()
    group = Group.objects.create(name="Core")
    c.insider.groups.add(group)
    ops = CategoryFactory(slug="ops")
    private = CategoryFactory(slug="inner", read_group=group)
    c.kol = TopicFactory.create(author=author, category=ops, title="如何发掘社区中的KOL用户", body="找到活跃的会员")
    c.other = TopicFactory.create(author=author, category=ops, title="周末徒步路线推荐", body="山里空气好")
    c.secret = TopicFactory.create(author=c.insider, category=private, title="社区KOL内部名单", body="名单")
    c.hidden = TopicFactory.create(author=author, category=ops, title="发掘KOL的广告", body="spam")
    registry.run("topic", "hide", actor=moderator, obj=c.hidden)
    for i in range(8):
        TopicFactory.create(author=UserFactory(), category=ops, title=f"社区活动第{i}期", body=f"活动 {i}")
    services.rebuild()
    yield c
    reset_backend()


def similar(client, q):
    response = client.get("/search/similar/", {"q": q})
    assert response.status_code == 200
    return response.json()["suggestions"]


def test_a_title_worded_differently_finds_the_obvious_match(corpus):
    client = Client()
    found = similar(client, "怎样在社区里发掘KOL")
    assert found[0]["topic_id"] == corpus.kol.pk
    assert found[0]["url"] == corpus.kol.get_absolute_url()
    assert "<mark>" in found[0]["title_html"]
    # the all-words title suggest (the search box's) does not find it: that was the bug
    suggested = client.get("/search/suggest/", {"q": "怎样在社区里发掘KOL"}).json()["suggestions"]
    assert corpus.kol.pk not in [s["topic_id"] for s in suggested]


def test_at_most_five_one_per_topic_and_only_what_the_reader_may_see(corpus):
    anon = similar(Client(), "社区活动 KOL")
    ids = [s["topic_id"] for s in anon]
    assert len(ids) == 5 and len(set(ids)) == 5
    assert corpus.secret.pk not in [s["topic_id"] for s in similar(Client(), "社区KOL内部名单")]
    assert corpus.hidden.pk not in [s["topic_id"] for s in similar(Client(), "发掘KOL的广告")]
    insider = Client()
    insider.force_login(corpus.insider)
    assert corpus.secret.pk in [s["topic_id"] for s in similar(insider, "社区KOL内部名单")]


def test_nothing_for_nothing_and_400_for_a_huge_query(corpus):
    assert similar(Client(), "") == []
    response = Client().get("/search/similar/", {"q": "长" * 1000})
    assert response.status_code == 400 and response.json()["error"]["field"] == "q"


def test_the_new_topic_title_asks_the_similar_endpoint(corpus, member):
    client = Client()
    client.force_login(member)
    html = client.get("/new/").content.decode()
    assert 'data-suggest-url="/search/similar/"' in html

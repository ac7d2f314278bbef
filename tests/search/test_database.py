"""The contract on the database backend: SQLite FTS5 always, PostgreSQL FTS + pg_trgm when
DATABASE_URL names PostgreSQL. Plus what only the database backend has."""

import pytest
from django.db import connection

from forum.moderation import registry
from search.backends.base import get_backend, reset_backend
from search.backends.database import DatabaseSearchBackend
from search.documents import SearchParams
from search.models import FTS_TABLE, SearchEntry, SearchEntryText
from search.visibility import visibility_for

from .contract import SearchBackendContract


@pytest.fixture
def database_backend(settings):
    settings.SEARCH_BACKEND = "database"
    reset_backend()
    backend = get_backend()
    assert isinstance(backend, DatabaseSearchBackend)
    yield backend
    reset_backend()


@pytest.mark.sqlite
class TestDatabaseContractSQLite(SearchBackendContract):
    @pytest.fixture
    def backend(self, database_backend):
        return database_backend

    def test_fts5_table_follows_the_entries(self, corpus, backend):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {FTS_TABLE}")
            assert cursor.fetchone()[0] == SearchEntry.objects.count()
            cursor.execute(f"SELECT body FROM {FTS_TABLE} WHERE rowid = %s",
                           [SearchEntry.objects.get(object_id=corpus.kol.posts.get(number=1).pk).pk])
            body = cursor.fetchone()[0]
        assert "社区" in body.split() and "kol" in body.split()


@pytest.mark.postgres
class TestDatabaseContractPostgres(SearchBackendContract):
    @pytest.fixture
    def backend(self, database_backend):
        return database_backend

    def test_vector_is_segmented_and_weighted(self, corpus):
        entry = SearchEntry.objects.get(object_id=corpus.kol.posts.get(number=1).pk)
        with connection.cursor() as cursor:
            cursor.execute("SELECT search_vector::text FROM huoli_search_searchentry WHERE id = %s", [entry.pk])
            vector = cursor.fetchone()[0]
        assert "'社区':" in vector and "A" in vector and "'kol':" in vector

    def test_queries_use_the_indexes(self, corpus):
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename IN "
                           "('huoli_search_searchentry', 'huoli_search_searchentrytext')")
            names = {row[0] for row in cursor.fetchall()}
        assert {"search_entry_vector_gin", "search_entry_title_trgm", "search_entry_text_body_trgm",
                "search_entry_category_newest"} <= names

    def test_bodies_live_in_the_side_table(self, corpus):
        """The entries a search walks carry no body: it is read for the page's hits only."""
        columns = {f.column for f in SearchEntry._meta.concrete_fields}
        assert "body" not in columns and "body_terms" not in columns
        post = corpus.kol.posts.get(number=1)
        assert "growth hacking" in SearchEntryText.objects.get(entry__object_id=post.pk).body

    def test_spelling_suggests_close_titles(self, corpus):
        from django.contrib.auth.models import AnonymousUser

        results = get_backend().search(SearchParams(q="Runing PostgreSQL databse"), visibility_for(AnonymousUser()))
        assert results.total == 0
        assert results.spelling == ["Running PostgreSQL databases in production"]


# --- what the database backend does to stay fast on large indexes ---------------------------------
def _anon_search(**kwargs):
    from django.contrib.auth.models import AnonymousUser

    return get_backend().search(SearchParams(**kwargs), visibility_for(AnonymousUser()))


@pytest.fixture
def many_posts(database_backend, moderator):
    """Six visible posts that all mention 社区, and one hidden."""
    from forum import services as forum
    from search import services
    from tests.factories import CategoryFactory, TopicFactory, UserFactory

    author = UserFactory(username="writer")
    category = CategoryFactory(name="运营", slug="ops")
    topic = TopicFactory.create(author=author, category=category, title="社区运营的经验", body="社区 第一帖",
                                tags=["运营"])
    for i in range(5):
        forum.post_create(actor=author, topic=topic, body=f"社区 回复 {i}")
    hidden = forum.post_create(actor=author, topic=topic, body="社区 隐藏")
    registry.run("post", "hide", actor=moderator, obj=hidden)
    services.rebuild()
    return topic


@pytest.mark.django_db
def test_total_is_capped_and_says_so(many_posts, monkeypatch):
    from search.backends import database

    exact = _anon_search(q="社区", facets=True)
    assert exact.total == 6 and not exact.total_capped
    assert dict(exact.facets["author"]) == {"writer": 6}
    monkeypatch.setattr(database, "CANDIDATES", 4)
    capped = _anon_search(q="社区", facets=True, per_page=2)
    assert capped.total == 4 and capped.total_capped
    assert capped.num_pages == 2
    # facet counts are lower bounds over the candidates
    assert dict(capped.facets["author"]) == {"writer": 4}
    assert dict(capped.facets["tag"]) == {"运营": 1}
    # relevance still finds the opening post (its title matches) although it is the oldest
    assert 1 in {h.post_number for h in _anon_search(q="社区运营").hits}
    beyond = _anon_search(q="社区", per_page=2, page=3)
    assert beyond.hits == [] and beyond.total == 4


@pytest.mark.django_db
def test_every_sort_agrees_with_the_uncapped_answer(many_posts, monkeypatch):
    from search.backends import database

    expected = {sort: [h.object_id for h in _anon_search(q="社区", sort=sort).hits]
                for sort in ("relevance", "newest", "votes")}
    assert sorted(expected["newest"]) == sorted(expected["votes"]) == sorted(expected["relevance"])
    # force the other plans: a walk of one row, then the word index (PostgreSQL); the same answers
    monkeypatch.setattr(database, "WALK_ROWS", 1)
    for sort, ids in expected.items():
        assert [h.object_id for h in _anon_search(q="社区", sort=sort).hits] == ids, sort
    # votes with a capped total reads the votes index over every match, not only the candidates
    monkeypatch.setattr(database, "CANDIDATES", 2)
    assert [h.object_id for h in _anon_search(q="社区", sort="votes").hits] == expected["votes"][:2]


@pytest.mark.django_db
def test_short_query_is_a_word_prefix(many_posts):
    results = _anon_search(q="社")
    assert results.total == 6 and results.substring
    assert "<mark>社</mark>" in results.hits[0].snippet_html


@pytest.mark.django_db
def test_no_substring_scan_for_chunks_too_short_for_trigrams(many_posts):
    # '回复' matches words; '不在' matches nothing, and is too short for a trigram search
    assert _anon_search(q="回复 不在").total == 0
    assert _anon_search(q="回复 不在").substring is False


@pytest.mark.django_db
def test_category_created_after_the_rule_is_not_readable(many_posts):
    from django.contrib.auth.models import AnonymousUser

    from search.documents import Visibility
    from tests.factories import CategoryFactory, TopicFactory

    rule = visibility_for(AnonymousUser())
    late = CategoryFactory(name="新版块", slug="late")
    TopicFactory.create(category=late, title="社区 新帖", body="社区")
    from search import services

    services.rebuild()
    found = get_backend().search(SearchParams(q="社区"), rule)
    assert late.pk not in {h.category_id for h in found.hits}
    fresh = get_backend().search(SearchParams(q="社区"), visibility_for(AnonymousUser()))
    assert late.pk in {h.category_id for h in fresh.hits}
    assert isinstance(rule, Visibility) and rule.excluded_category_ids == frozenset()


@pytest.mark.django_db
def test_rebuild_with_workers_inside_a_transaction_runs_in_process(many_posts):
    from search import services

    before = sorted(SearchEntry.objects.values_list("object_id", "text__body_terms"))
    assert services.rebuild(workers=2, chunk_size=2) == len(before)
    assert sorted(SearchEntry.objects.values_list("object_id", "text__body_terms")) == before

"""The contract on the database backend: SQLite FTS5 always, PostgreSQL FTS + pg_trgm when
DATABASE_URL names PostgreSQL. Plus what only the database backend has."""

import pytest
from django.db import connection

from search.backends.base import get_backend, reset_backend
from search.backends.database import DatabaseSearchBackend
from search.documents import SearchParams
from search.models import FTS_TABLE, SearchEntry
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


class TestDatabaseContractSQLite(SearchBackendContract):
    @pytest.fixture
    def backend(self, database_backend):
        if connection.vendor != "sqlite":
            pytest.skip("runs on the embedded SQLite (no DATABASE_URL)")
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
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'huoli_search_searchentry'")
            names = {row[0] for row in cursor.fetchall()}
        assert {"search_entry_vector_gin", "search_entry_title_trgm", "search_entry_body_trgm"} <= names

    def test_spelling_suggests_close_titles(self, corpus):
        from django.contrib.auth.models import AnonymousUser

        results = get_backend().search(SearchParams(q="Runing PostgreSQL databse"), visibility_for(AnonymousUser()))
        assert results.total == 0
        assert results.spelling == ["Running PostgreSQL databases in production"]

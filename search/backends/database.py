"""The default backend: the database itself.

- PostgreSQL: a stored tsvector built with the ``simple`` configuration from jieba-segmented,
  stemmed terms (title weighted A, body B), a GIN index on it, ``ts_rank`` for relevance; one
  ``SearchQuery`` per term joined with ``&`` (``|`` to broaden). Short and partial queries (one
  Chinese character, 'po') and queries the word index cannot match fall back to ``ILIKE``
  substring matching served by pg_trgm GIN indexes on title and body.
- SQLite: an FTS5 table (rowid = entry id) fed with the same terms, each query term quoted as an
  FTS5 string and joined with AND, ``bm25`` for relevance; ``LIKE`` for the substring fallback.

User input never reaches a query language: terms contain word characters only (search.text) and
are passed as bound parameters.
"""

import datetime

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connection, transaction
from django.db.models import Count, F, FloatField, Q, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone

from forum.models import Topic

from .. import text
from ..documents import SearchHit, SearchResults, Suggestion
from ..models import FTS_TABLE, SearchEntry
from .base import BaseSearchBackend

FACET_SIZE = 10


def _fts5_string(term):
    return '"' + term.replace('"', '""') + '"'


def _tsquery_lexeme(term, *, prefix=False, weight=""):
    # terms hold word characters only; quoting makes each one a single lexeme whatever it is
    quoted = "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"
    label = ("*" if prefix else "") + weight
    return quoted + (":" + label if label else "")


class DatabaseSearchBackend(BaseSearchBackend):
    name = "database"

    @property
    def vendor(self):
        return connection.vendor

    # --- writing ----------------------------------------------------------------------------
    def _entry(self, doc):
        title_terms = " ".join(text.index_terms(doc.title)) if doc.is_topic else ""
        return SearchEntry(
            object_type=doc.object_type, object_id=doc.object_id, topic_id=doc.topic_id,
            post_number=doc.post_number, category_id=doc.category_id, author_id=doc.author_id,
            author_username=doc.author_username, author_name=doc.author_name, title=doc.title,
            body=doc.body, url=doc.url, tag_slugs=list(doc.tag_slugs), title_terms=title_terms,
            body_terms=" ".join(text.index_terms(doc.body)), is_visible=doc.is_visible,
            featured=doc.featured, created_at=doc.created_at, votes=doc.votes,
        )

    def index(self, documents, *, replace=True):
        documents = list(documents)
        if not documents:
            return 0
        entries = [self._entry(doc) for doc in documents]
        with transaction.atomic():
            if replace:
                by_type = {}
                for doc in documents:
                    by_type.setdefault(doc.object_type, []).append(doc.object_id)
                for object_type, ids in by_type.items():
                    self._delete_entries(SearchEntry.objects.filter(object_type=object_type, object_id__in=ids))
            if self.vendor == "postgresql":
                self._insert_postgres(entries)
            else:
                created = SearchEntry.objects.bulk_create(entries, batch_size=1000)
                if self.vendor == "sqlite":
                    self._insert_fts5(created)
        return len(entries)

    _COLUMNS = ("object_type", "object_id", "topic_id", "post_number", "category_id", "author_id",
                "author_username", "author_name", "title", "body", "url", "tag_slugs", "title_terms",
                "body_terms", "is_visible", "featured", "created_at", "votes")

    def _insert_postgres(self, entries):
        """One INSERT per row in a pipeline, the tsvector computed in the same statement (an
        INSERT then UPDATE would write every row and every GIN entry twice)."""
        from psycopg.types.json import Jsonb

        columns = ", ".join(self._COLUMNS)
        marks = ", ".join(["%s"] * len(self._COLUMNS))
        sql = (f"INSERT INTO {SearchEntry._meta.db_table} ({columns}, search_vector) VALUES ({marks}, "
               "setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'B'))")
        rows = []
        for e in entries:
            values = [getattr(e, name) for name in self._COLUMNS]
            values[self._COLUMNS.index("tag_slugs")] = Jsonb(e.tag_slugs)
            rows.append((*values, e.title_terms, e.body_terms))
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)

    def _insert_fts5(self, entries):
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE}(rowid, title, body) VALUES (%s, %s, %s)",
                [(e.pk, e.title_terms, e.body_terms) for e in entries],
            )

    def _delete_entries(self, qs):
        if self.vendor == "sqlite":
            ids = list(qs.values_list("pk", flat=True))
            if not ids:
                return 0
            with connection.cursor() as cursor:
                for start in range(0, len(ids), 500):
                    chunk = ids[start:start + 500]
                    marks = ",".join(["%s"] * len(chunk))
                    cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", chunk)
            return SearchEntry.objects.filter(pk__in=ids).delete()[0]
        return qs.delete()[0]

    def delete(self, object_type, object_ids):
        with transaction.atomic():
            return self._delete_entries(SearchEntry.objects.filter(object_type=object_type, object_id__in=list(object_ids)))

    def clear(self):
        with transaction.atomic():
            if self.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.execute(f"DELETE FROM {FTS_TABLE}")
            SearchEntry.objects.all().delete()

    def rebuild(self, definitions, *, progress=None, chunk_size=None):
        """One transaction: readers see the old index until the new one is complete."""
        total = sum(d.count() for d in definitions)
        done = 0
        with transaction.atomic():
            self.clear()
            if progress:
                progress(0, total)
            for definition in definitions:
                for docs in definition.iter_documents(chunk_size=chunk_size):
                    done += self.index(docs, replace=False)
                    if progress:
                        progress(done, total)
        return done

    # --- reading ----------------------------------------------------------------------------
    def _visible(self, visibility):
        qs = SearchEntry.objects.all()
        if visibility.category_ids is not None:
            qs = qs.filter(category_id__in=sorted(visibility.category_ids))
        if not visibility.include_hidden:
            qs = qs.filter(is_visible=True)
        return qs

    def _filtered(self, params, visibility):
        qs = self._visible(visibility)
        if params.category_id:
            qs = qs.filter(category_id=params.category_id)
        if params.tag:
            qs = qs.filter(topic_id__in=Topic.tags.through.objects.filter(tag__slug=params.tag).values("topic_id"))
        if params.author:
            qs = qs.filter(author_username=params.author)
        tz = timezone.get_current_timezone()
        if params.date_from:
            qs = qs.filter(created_at__gte=datetime.datetime.combine(params.date_from, datetime.time.min, tz))
        if params.date_to:
            end = datetime.datetime.combine(params.date_to + datetime.timedelta(days=1), datetime.time.min, tz)
            qs = qs.filter(created_at__lt=end)
        if params.featured:
            qs = qs.filter(featured=True)
        return qs

    def _word_match(self, qs, terms, *, match_any=False):
        """(queryset, rank expression or None, 'higher is better')."""
        if self.vendor == "postgresql":
            query = None
            for term in terms:
                part = SearchQuery(term, config="simple", search_type="plain")
                query = part if query is None else (query | part if match_any else query & part)
            qs = qs.filter(search_vector=query)
            return qs, SearchRank(F("search_vector"), query)
        if self.vendor == "sqlite":
            expr = (" OR " if match_any else " AND ").join(_fts5_string(t) for t in terms)
            qs = qs.filter(pk__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [expr]))
            rank = RawSQL(
                f"SELECT -bm25({FTS_TABLE}, 4.0, 1.0) FROM {FTS_TABLE} "
                f"WHERE {FTS_TABLE} MATCH %s AND rowid = huoli_search_searchentry.id",
                [expr],
                output_field=FloatField(),
            )
            return qs, rank
        return self._substring_match(qs, terms, match_any=match_any), None

    def _substring_match(self, qs, chunks, *, match_any=False):
        cond = None
        for chunk in chunks:
            part = Q(title__ilike=chunk, post_number=1) | Q(body__ilike=chunk)
            cond = part if cond is None else (cond | part if match_any else cond & part)
        return qs.filter(cond) if cond is not None else qs.none()

    def search(self, params, visibility):
        terms = text.query_terms(params.q)
        chunks = text.query_chunks(params.q)
        results = SearchResults(hits=[], total=0, params=params, terms=terms)
        if not terms and not params.has_filters:
            return results
        qs = self._filtered(params, visibility)
        rank = None
        total = None
        if terms:
            if not text.is_short_query(params.q):
                matched, rank = self._word_match(qs, terms, match_any=params.match_any)
                total = matched.count()
                if total:
                    qs = matched
                else:
                    # words the index cannot match (split differently, partial): substrings
                    rank, total = None, None
                    qs = self._substring_match(qs, chunks, match_any=params.match_any)
                    results.substring = True
            else:
                qs = self._substring_match(qs, chunks, match_any=params.match_any)
                results.substring = True
        if rank is not None:
            qs = qs.annotate(rank=rank)
        else:
            qs = qs.annotate(rank=Value(0.0, output_field=FloatField()))
        if params.sort == "newest":
            order = ("-created_at", "-id")
        elif params.sort == "votes":
            order = ("-votes", "-rank", "-created_at", "-id")
        else:
            order = ("-rank", "-created_at", "-id")
        results.total = qs.count() if total is None else total
        if params.facets and results.total:
            results.facets = self._facets(qs)
        page = list(
            qs.order_by(*order).defer("title_terms", "body_terms", "search_vector")[
                params.offset:params.offset + params.per_page
            ]
        )
        results.hits = [self._hit(e, terms, chunks) for e in page]
        if not results.total and terms:
            results.spelling = self._spelling(params.q, visibility)
        return results

    def _hit(self, entry, terms, chunks):
        return SearchHit(
            object_type=entry.object_type, object_id=entry.object_id, topic_id=entry.topic_id,
            post_number=entry.post_number, category_id=entry.category_id,
            author_username=entry.author_username, author_name=entry.author_name, title=entry.title,
            url=entry.url, created_at=entry.created_at, votes=entry.votes, featured=entry.featured,
            title_html=text.highlight(entry.title, terms, chunks=chunks, whole=True),
            snippet_html=text.highlight(entry.body, terms, chunks=chunks),
            score=float(entry.rank or 0.0), is_visible=entry.is_visible,
        )

    def _facets(self, qs):
        base = qs.order_by()
        categories = base.values("category_id").annotate(n=Count("id")).order_by("-n", "category_id")[:FACET_SIZE]
        authors = base.values("author_username").annotate(n=Count("id")).order_by("-n", "author_username")[:FACET_SIZE]
        tags = (
            Topic.tags.through.objects.filter(topic_id__in=base.values("topic_id"))
            .values("tag__slug").annotate(n=Count("topic_id", distinct=True)).order_by("-n", "tag__slug")[:FACET_SIZE]
        )
        return {
            "category": [(row["category_id"], row["n"]) for row in categories],
            "tag": [(row["tag__slug"], row["n"]) for row in tags],
            "author": [(row["author_username"], row["n"]) for row in authors],
        }

    def _spelling(self, q, visibility):
        """Close topic titles for a query that found nothing (pg_trgm word similarity)."""
        if self.vendor != "postgresql":
            return []
        cleaned = text.clean_query(q)
        rows = (
            self._visible(visibility).filter(post_number=1)
            .annotate(sim=TrigramWordSimilarity(Value(cleaned), "title"))
            .filter(sim__gte=0.4).order_by("-sim", "-votes").values_list("title", flat=True)[:3]
        )
        return [t for t in rows if t.lower() != cleaned.lower()]

    def suggest(self, q, visibility, *, limit=8):
        terms = text.query_terms(q)
        chunks = text.query_chunks(q)
        if not terms:
            return []
        qs = self._visible(visibility).filter(post_number=1)
        found = []
        if terms and not text.is_short_query(q):
            found = list(self._title_prefix_match(qs, terms)[:limit])
        if not found:
            cond = Q()
            for chunk in chunks:
                cond &= Q(title__ilike=chunk)
            found = list(qs.filter(cond).order_by("-votes", "-created_at")[:limit])
        return [
            Suggestion(topic_id=e.topic_id, title=e.title, url=e.url,
                       title_html=text.highlight(e.title, terms, chunks=chunks, whole=True))
            for e in found
        ]

    def _title_prefix_match(self, qs, terms):
        """All terms in the title, the last one as a prefix (it is still being typed)."""
        if self.vendor == "postgresql":
            raw = " & ".join(
                _tsquery_lexeme(t, prefix=(i == len(terms) - 1), weight="A") for i, t in enumerate(terms)
            )
            # raw syntax is built here from word-character terms only, never from user input
            query = SearchQuery(raw, config="simple", search_type="raw")
            return (qs.filter(search_vector=query).annotate(rank=SearchRank(F("search_vector"), query))
                    .order_by("-rank", "-votes", "-created_at"))
        if self.vendor == "sqlite":
            parts = [_fts5_string(t) + ("*" if i == len(terms) - 1 else "") for i, t in enumerate(terms)]
            expr = "title : (" + " AND ".join(parts) + ")"
            ids = RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [expr])
            return qs.filter(pk__in=ids).order_by("-votes", "-created_at")
        return self._substring_match(qs, terms).order_by("-votes", "-created_at")

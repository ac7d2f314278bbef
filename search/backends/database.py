"""The default backend: the database itself.

- PostgreSQL: a stored tsvector built with the ``simple`` configuration from jieba-segmented,
  stemmed terms (title weighted A, body B), a GIN index on it, ``ts_rank`` for relevance; one
  ``SearchQuery`` per term joined with ``&`` (``|`` to broaden). Short and partial queries (one
  Chinese character, 'po') and queries the word index cannot match fall back to ``ILIKE``
  substring matching served by pg_trgm GIN indexes on title and body.
- Entries (SearchEntry) hold what a search walks: filters, sort keys, title and vector; bodies
  and their terms live in a side table (SearchEntryText) read for one page of hits and the
  substring fallback only, so the thousands of entries a search visits stay in memory.
- SQLite: an FTS5 table (rowid = entry id) fed with the same terms, each query term quoted as an
  FTS5 string and joined with AND, ``bm25`` for relevance; ``LIKE`` for the substring fallback.

User input never reaches a query language: terms contain word characters only (search.text) and
are passed as bound parameters.
"""

import datetime
import json
import multiprocessing
from collections import Counter

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import BooleanField, F, FloatField, Q, TextField, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone

from forum.models import Topic

from .. import registry, text
from ..documents import SearchHit, SearchResults, Suggestion
from ..models import FTS_TABLE, SearchEntry, SearchEntryText
from .base import BaseSearchBackend

FACET_SIZE = 10
# matches a search looks at: it counts up to this many ("1000+"), facets and ranks them
CANDIDATES = 1000
# and the newest entries whose title matches, ranked with them when a common word caps the count
TITLE_CANDIDATES = 200
MIN_TRIGRAM_CHARS = 3
# newest entries a word search walks first (PostgreSQL), see DatabaseSearchBackend._candidates
WALK_ROWS = 8000
WALK_RANDOM_PAGE_COST = "1.1"
# a row walked in the newest index's order costs this many times less than a match the word
# index finds (scattered over the table, each one rechecked): measured on 200,000 entries
WALK_ADVANTAGE = 2.5
WALK_WORK_MEM = "32MB"
SPELLING_SIMILARITY = 0.4


def _desc_time(value):
    """Sort key for newest first (a datetime, or seconds since the epoch as PostgreSQL gives
    candidate rows: a float decodes in a fraction of a timestamptz's time)."""
    return -value if isinstance(value, float) else -value.timestamp()


def _tags(value):
    """A candidate row's tag slugs: a list, or jsonb text from PostgreSQL (decoded for facets only)."""
    if isinstance(value, str):
        return json.loads(value) if value != "[]" else ()
    return value or ()


def _fts5_string(term):
    return '"' + term.replace('"', '""') + '"'


def _tsquery_lexeme(term, *, prefix=False, weight=""):
    # terms hold word characters only; quoting makes each one a single lexeme whatever it is
    quoted = "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"
    label = ("*" if prefix else "") + weight
    return quoted + (":" + label if label else "")


COLUMNS = ("object_type", "object_id", "topic_id", "post_number", "category_id", "author_id",
           "author_username", "author_name", "title", "body", "url", "tag_slugs", "title_terms",
           "body_terms", "is_visible", "featured", "created_at", "votes")
TAG_SLUGS, TITLE_TERMS, BODY, BODY_TERMS = (COLUMNS.index(name) for name in ("tag_slugs", "title_terms", "body",
                                                                              "body_terms"))
# the columns of SearchEntry; body and body_terms go to SearchEntryText
TEXT_COLUMNS = ("body", "body_terms")
ENTRY_COLUMNS = tuple(c for c in COLUMNS if c not in TEXT_COLUMNS)
ENTRY_INDEXES = tuple(COLUMNS.index(c) for c in ENTRY_COLUMNS)
VECTOR_SQL = "setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'B')"
STAGE_TABLE = "huoli_search_stage"
TSQUERY_SQL = "to_tsquery('simple'::regconfig, %s)"
UPSERT_ATTEMPTS = 3  # concurrent indexing of one object: see DatabaseSearchBackend.index
ENTRY_TABLE = SearchEntry._meta.db_table
TEXT_TABLE = SearchEntryText._meta.db_table


def entry_row(doc):
    """A document as a row of SearchEntry in COLUMNS order, with its segmented terms (title
    terms for opening posts only: the title is indexed once per topic)."""
    title_terms = " ".join(text.index_terms(doc.title)) if doc.is_topic else ""
    return (doc.object_type, doc.object_id, doc.topic_id, doc.post_number, doc.category_id, doc.author_id,
            doc.author_username, doc.author_name, doc.title, doc.body, doc.url, list(doc.tag_slugs), title_terms,
            " ".join(text.index_terms(doc.body)), doc.is_visible, doc.featured, doc.created_at, doc.votes)


def _pg_row(row):
    from psycopg.types.json import Jsonb

    row = list(row)
    row[TAG_SLUGS] = Jsonb(row[TAG_SLUGS])
    return row


def build_rows(object_type, ids):
    """The rows of these objects: read, turned into documents and segmented (the CPU-heavy part
    of a rebuild, which runs in worker processes when asked)."""
    definition = registry.get(object_type)
    return [entry_row(definition.document(obj)) for obj in definition.objects_for_ids(ids)]


def _worker_start():
    text.warm_up()


def _worker_rows(task):
    try:
        return build_rows(*task)
    finally:
        connections.close_all()  # the next chunk may come much later; do not hold a connection idle


class DatabaseSearchBackend(BaseSearchBackend):
    name = "database"

    @property
    def vendor(self):
        return connection.vendor

    # --- writing ----------------------------------------------------------------------------
    def index(self, documents, *, replace=True):
        documents = list(documents)
        if not documents:
            return 0
        rows = [entry_row(doc) for doc in documents]
        for attempt in range(1, UPSERT_ATTEMPTS + 1):
            try:
                with transaction.atomic():
                    if replace:
                        by_type = {}
                        for doc in documents:
                            by_type.setdefault(doc.object_type, []).append(doc.object_id)
                        self._lock_objects(by_type)
                        for object_type, ids in by_type.items():
                            self._delete_entries(SearchEntry.objects.filter(object_type=object_type,
                                                                            object_id__in=ids))
                    self._write(rows)
                break
            except IntegrityError:
                # Two tasks indexed the same object at once: the other one's row committed between
                # our delete and our insert (search_entry_object_uniq). Replace it: run again, the
                # delete now sees it. An upsert, without ON CONFLICT across the two tables.
                if attempt == UPSERT_ATTEMPTS or not replace:
                    raise
        return len(documents)

    def _lock_objects(self, by_type):
        """PostgreSQL: one transaction at a time replaces an object's entry (an advisory lock per
        object, taken in one order, held to the commit), so concurrent tasks indexing the same post
        queue up instead of colliding on search_entry_object_uniq."""
        if self.vendor != "postgresql":
            return
        keys = sorted(f"{object_type}:{object_id}" for object_type, ids in by_type.items() for object_id in ids)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest(%s::text[]) AS k "
                           "ORDER BY k", [keys])

    def _write(self, rows, *, bulk=False):
        if self.vendor == "postgresql":
            if bulk:
                self._copy_postgres(rows)
            else:
                self._insert_postgres(rows)
            return
        entries = [SearchEntry(**{c: row[i] for c, i in zip(ENTRY_COLUMNS, ENTRY_INDEXES, strict=True)})
                   for row in rows]
        created = SearchEntry.objects.bulk_create(entries, batch_size=1000)
        SearchEntryText.objects.bulk_create(
            [SearchEntryText(entry_id=e.pk, body=row[BODY], body_terms=row[BODY_TERMS])
             for e, row in zip(created, rows, strict=True)], batch_size=1000)
        if self.vendor == "sqlite":
            self._insert_fts5([(e.pk, row) for e, row in zip(created, rows, strict=True)])

    def _insert_postgres(self, rows):
        """One statement per row in a pipeline: the entry, its tsvector computed in the same
        INSERT (an INSERT then UPDATE would write every row and every GIN entry twice), and its
        text row."""
        columns = ", ".join(ENTRY_COLUMNS)
        marks = ", ".join(["%s"] * len(ENTRY_COLUMNS))
        sql = (f"WITH e AS (INSERT INTO {ENTRY_TABLE} ({columns}, search_vector) "
               f"VALUES ({marks}, {VECTOR_SQL % ('%s', '%s')}) RETURNING id) "
               f"INSERT INTO {TEXT_TABLE} (entry_id, body, body_terms) SELECT id, %s, %s FROM e")
        with connection.cursor() as cursor:
            cursor.executemany(sql, [(*(r[i] for i in ENTRY_INDEXES), r[TITLE_TERMS], r[BODY_TERMS], r[BODY],
                                      r[BODY_TERMS]) for r in map(_pg_row, rows)])

    def _copy_postgres(self, rows):
        """Rebuilds: COPY a chunk into a temporary table, then one statement computes the vectors
        and fills both tables and their indexes set-wise."""
        columns = ", ".join(COLUMNS)
        entry_columns = ", ".join(ENTRY_COLUMNS)
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGE_TABLE} ON COMMIT DROP AS "
                           f"SELECT {', '.join(f'e.{c}' for c in ENTRY_COLUMNS)}, t.body, t.body_terms "
                           f"FROM {ENTRY_TABLE} e, {TEXT_TABLE} t WITH NO DATA")
            with cursor.copy(f"COPY {STAGE_TABLE} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(_pg_row(row))
            cursor.execute(
                f"WITH e AS (INSERT INTO {ENTRY_TABLE} ({entry_columns}, search_vector) "
                f"SELECT {entry_columns}, {VECTOR_SQL % ('title_terms', 'body_terms')} FROM {STAGE_TABLE} "
                f"ORDER BY created_at, object_id RETURNING id, object_type, object_id) "
                f"INSERT INTO {TEXT_TABLE} (entry_id, body, body_terms) SELECT e.id, s.body, s.body_terms "
                f"FROM e JOIN {STAGE_TABLE} s ON s.object_type = e.object_type AND s.object_id = e.object_id")
            cursor.execute(f"TRUNCATE {STAGE_TABLE}")

    def _insert_fts5(self, rows):
        """``rows``: (entry id, row) pairs."""
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE}(rowid, title, body) VALUES (%s, %s, %s)",
                [(pk, row[TITLE_TERMS], row[BODY_TERMS]) for pk, row in rows],
            )

    def _delete_entries(self, qs):
        """Entries and their text rows, by the ids (a plain DELETE each: Django's cascade would
        load every entry first)."""
        ids = list(qs.values_list("pk", flat=True))
        if not ids:
            return 0
        deleted = 0
        with connection.cursor() as cursor:
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                marks = ",".join(["%s"] * len(chunk))
                if self.vendor == "sqlite":
                    cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", chunk)
                cursor.execute(f"DELETE FROM {TEXT_TABLE} WHERE entry_id IN ({marks})", chunk)
                cursor.execute(f"DELETE FROM {ENTRY_TABLE} WHERE id IN ({marks})", chunk)
                deleted += cursor.rowcount
        return deleted

    def delete(self, object_type, object_ids):
        with transaction.atomic():
            return self._delete_entries(SearchEntry.objects.filter(object_type=object_type, object_id__in=list(object_ids)))

    def clear(self):
        with transaction.atomic():
            with connection.cursor() as cursor:
                if self.vendor == "sqlite":
                    cursor.execute(f"DELETE FROM {FTS_TABLE}")
                cursor.execute(f"DELETE FROM {TEXT_TABLE}")
                cursor.execute(f"DELETE FROM {ENTRY_TABLE}")

    def rebuild(self, definitions, *, progress=None, chunk_size=None, workers=None):
        """One transaction: readers see the old index until the new one is complete.

        The objects are read, turned into documents and segmented chunk by chunk (by ``workers``
        forked processes on PostgreSQL: jieba is most of the work, and each process reads its
        chunks on a connection of its own), while this process writes the rows with COPY."""
        plan = [(d.object_type, ids) for d in definitions for ids in d.id_chunks(chunk_size=chunk_size)]
        total = sum(len(ids) for _type, ids in plan)
        workers = max(1, int(workers or 1))
        pool = None
        if workers > 1 and self.vendor == "postgresql" and not connection.in_atomic_block and len(plan) > 1:
            text.warm_up()  # load jieba once, before forking
            connections.close_all()  # children must not share this process's connections
            pool = multiprocessing.get_context("fork").Pool(min(workers, len(plan)), initializer=_worker_start)
        done = 0
        try:
            with transaction.atomic():
                self.clear()
                if progress:
                    progress(0, total)
                chunks = (pool.imap(_worker_rows, plan) if pool else (build_rows(t, ids) for t, ids in plan))
                for rows in chunks:
                    self._write(rows, bulk=True)
                    done += len(rows)
                    if progress:
                        progress(done, total)
        finally:
            if pool:
                pool.terminate()
                pool.join()
        if self.vendor == "postgresql" and not connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {ENTRY_TABLE}, {TEXT_TABLE}")
        return done

    # --- reading ----------------------------------------------------------------------------
    def _visible(self, visibility):
        qs = SearchEntry.objects.all()
        if visibility.category_ids is not None:
            if visibility.excluded_category_ids is not None and visibility.max_category_id is not None:
                # the same rule as "IN (readable)", written so that it is a cheap test on each row
                # instead of a bitmap over the category index (PostgreSQL ANDs that with the word
                # index otherwise, reading the whole category index on every search); categories
                # created after the rule was made are not readable
                qs = qs.filter(category_id__lte=visibility.max_category_id)
                if visibility.excluded_category_ids:
                    qs = qs.exclude(category_id__in=sorted(visibility.excluded_category_ids))
            else:
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

    def _word_match(self, qs, terms, *, match_any=False, prefix=False):
        """(queryset of entries whose words match, rank expression for a few rows, title match
        condition or None, tsquery text on PostgreSQL or None). ``prefix``: each term may be the
        start of a word ('社' finds 社区)."""
        joiner = " | " if match_any else " & "
        if self.vendor == "postgresql":
            # raw syntax built here from word-character terms only, never from user input
            raw = joiner.join(_tsquery_lexeme(t, prefix=prefix) for t in terms)
            query = SearchQuery(raw, config="simple", search_type="raw")
            # the expression of the partial GIN index search_entry_title_gin, exactly
            title = RawSQL(f"to_tsvector('simple'::regconfig, {SearchEntry._meta.db_table}.title_terms) "
                           "@@ to_tsquery('simple'::regconfig, %s)", [raw], output_field=BooleanField())
            return qs.filter(search_vector=query), SearchRank(F("search_vector"), query), title, raw
        if self.vendor == "sqlite":
            star = "*" if prefix else ""
            expr = (" OR " if match_any else " AND ").join(_fts5_string(t) + star for t in terms)
            matching = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
            qs = qs.filter(pk__in=RawSQL(matching, [expr]))
            rank = RawSQL(
                f"SELECT -bm25({FTS_TABLE}, 4.0, 1.0) FROM {FTS_TABLE} "
                f"WHERE {FTS_TABLE} MATCH %s AND rowid = {SearchEntry._meta.db_table}.id",
                [expr],
                output_field=FloatField(),
            )
            return qs, rank, Q(pk__in=RawSQL(matching, [f"title : ({expr})"])), None
        return self._substring_match(qs, terms, match_any=match_any), None, None, None

    def _substring_match(self, qs, chunks, *, match_any=False):
        cond = None
        for chunk in chunks:
            # the ids whose opening post's title or whose body holds the chunk, each found through
            # its own trigram index (an OR across the two tables would test every row)
            titles = SearchEntry.objects.filter(title__ilike=chunk, post_number=1).values("pk")
            bodies = SearchEntryText.objects.filter(body__ilike=chunk).values("entry_id")
            (title_sql, title_params), (body_sql, body_params) = (
                titles.query.sql_with_params(), bodies.query.sql_with_params())
            part = Q(pk__in=RawSQL(f"{title_sql} UNION ALL {body_sql}", (*title_params, *body_params)))
            cond = part if cond is None else (cond | part if match_any else cond & part)
        return qs.filter(cond) if cond is not None else qs.none()

    @staticmethod
    def _substring_helps(chunks):
        """A substring search is served by the trigram indexes only when every chunk has three
        characters or more; shorter ones would read every row, and the word index has already
        answered for them (a two-character Chinese chunk is a whole word to jieba)."""
        return bool(chunks) and all(len(c) >= MIN_TRIGRAM_CHARS for c in chunks)

    def _candidates(self, qs, base=None, match=None, *, rank=False):
        """The newest CANDIDATES + 1 matches, as light rows: the total (capped), the facets and
        the ranking are computed from these, so no search reads every match of a common word.

        On PostgreSQL with words (``base``: the filtered entries, ``match``: the tsquery text),
        the plan is not left to the planner's estimate, which assumes words are independent
        ('onboarding flow' always come together: it expects a tenth of the matches and reads all
        of them): it walks the newest WALK_ROWS entries first, which finds the candidates of
        any common word, and measures how common the words are. Rarer words are then walked
        further, or found through the word index when that costs less (every match, then the
        newest of them: never a walk the planner would choose from its estimate)."""
        order = ("-created_at", "-id")
        if self.vendor != "postgresql" or match is None:
            return self._light(qs.order_by(*order))
        rows = self._walk(base, match, order, WALK_ROWS, CANDIDATES + 1, rank=rank)
        if len(rows) > CANDIDATES:
            return rows
        # fewer than needed: a walk's rows are an answer only when complete (then no newer match
        # can exist outside its window); the row estimate only chooses the next plan
        found = len(rows)
        entries = self._row_estimate()
        share = found / WALK_ROWS
        if found and entries > WALK_ROWS and CANDIDATES / share < WALK_ADVANTAGE * entries * share:
            # common enough that walking on is cheaper than visiting every match (a walked row
            # costs a fraction of a match found through the word index: see WALK_ADVANTAGE)
            rows = self._walk(base, match, order, int(1.5 * (CANDIDATES + 1) / share), CANDIDATES + 1, rank=rank)
            if len(rows) > CANDIDATES:
                return rows
        return self._matches(qs, match, CANDIDATES + 1, rank=rank)

    # a candidate row: id, created_at, votes, category_id, author_username, topic_id, tag_slugs
    # and, when the walk computed it, the rank
    _LIGHT = ("id", "created_at", "votes", "category_id", "author_username", "topic_id", "tag_slugs")

    def _light(self, qs):
        if self.vendor == "postgresql":
            # created_at as epoch seconds and tag_slugs as text: a thousand rows decode in a
            # fraction of the time (see _desc_time, _tags)
            qs = qs.annotate(
                light_ts=RawSQL(f"EXTRACT(EPOCH FROM {ENTRY_TABLE}.created_at)::float8", [], output_field=FloatField()),
                light_tags=RawSQL(f"{ENTRY_TABLE}.tag_slugs::text", [], output_field=TextField()),
            )
            light = ("id", "light_ts", *self._LIGHT[2:6], "light_tags")
            return list(qs.values_list(*light)[:CANDIDATES + 1])
        return list(qs.values_list(*self._LIGHT)[:CANDIDATES + 1])

    def _walk(self, base, match, order, window, limit, *, rank=False):
        """Matches among the first ``window`` filtered entries in ``order`` (a subquery with a
        LIMIT is a fence: PostgreSQL reads the order's index and tests the words on those rows
        only), at most ``limit``, in order; with ``rank``, ts_rank of each from the vector the
        walk has already read."""
        inner = base.order_by(*order).values_list(*self._LIGHT, "search_vector")[:window]
        sql, params = inner.query.sql_with_params()
        score = f", ts_rank(w.search_vector, {TSQUERY_SQL})" if rank else ""
        outer = (f"SELECT {self._light_columns()}{score} FROM ({sql}) w WHERE w.search_vector @@ {TSQUERY_SQL} "
                 f"LIMIT {int(limit)}")
        rows = self._fetch_light(outer, [*([match] if rank else []), *params, match])
        if order[0] == "-created_at":
            rows.sort(key=lambda r: (_desc_time(r[1]), -r[0]))
        return rows

    def _matches(self, qs, match, limit, *, rank=False):
        """The newest ``limit`` of every match (``qs``: entries filtered by their words), found
        through the word index (OFFSET 0 fences the matches off from the order, which PostgreSQL
        would otherwise walk on its estimate) and ranked after the sort, on those rows only."""
        sql, params = qs.values_list(*self._LIGHT, "search_vector").query.sql_with_params()
        score = f", ts_rank(w.search_vector, {TSQUERY_SQL})" if rank else ""
        outer = (f"SELECT {self._light_columns()}{score} FROM (SELECT * FROM ({sql} OFFSET 0) m "
                 f"ORDER BY m.created_at DESC, m.id DESC LIMIT {int(limit)}) w")
        rows = self._fetch_light(outer, [*([match] if rank else []), *params])
        rows.sort(key=lambda r: (_desc_time(r[1]), -r[0]))
        return rows

    def _light_columns(self):
        """The light columns of a subquery ``w``: created_at as epoch seconds and tag_slugs as
        text, which decode in a fraction of the time (see _desc_time, _tags)."""
        return ", ".join(f"w.{connection.ops.quote_name(c)}" for c in self._LIGHT).replace(
            'w."created_at"', 'EXTRACT(EPOCH FROM w."created_at")::float8').replace('w."tag_slugs"', 'w."tag_slugs"::text')

    @staticmethod
    def _fetch_light(sql, params):
        with connection.cursor() as cursor:
            if connection.in_atomic_block:
                cursor.execute(sql, params)
                return cursor.fetchall()
            with transaction.atomic():
                # for this query only: the rows it reads are narrow and in memory, so an index in
                # another order than the table's (a category's newest) costs no disk seeks, and a
                # filter answered in another order (a tag's topics) sorts in memory
                cursor.execute("SELECT set_config('random_page_cost', %s, true), set_config('work_mem', %s, true)",
                               [WALK_RANDOM_PAGE_COST, WALK_WORK_MEM])
                cursor.execute(sql, params)
                return cursor.fetchall()

    def _row_estimate(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [SearchEntry._meta.db_table])
            row = cursor.fetchone()
        return max(int(row[0]), 0) if row and row[0] and row[0] > 0 else 0

    def search(self, params, visibility):
        terms = text.query_terms(params.q)
        chunks = text.query_chunks(params.q)
        results = SearchResults(hits=[], total=0, params=params, terms=terms)
        if not terms and not params.has_filters:
            return results
        base = self._filtered(params, visibility)
        qs, rank, title_match, match = base, None, None, None
        if terms:
            short = text.is_short_query(params.q)
            qs, rank, title_match, match = self._word_match(base, terms, match_any=params.match_any, prefix=short)
            results.substring = short
        rows = self._candidates(qs, base, match, rank=params.sort == "relevance")
        if not rows and terms and self._substring_helps(chunks):
            # words the index cannot match (split differently, partial): substrings, by trigrams
            qs, rank, title_match = self._substring_match(base, chunks, match_any=params.match_any), None, None
            results.substring = True
            rows = self._candidates(qs)
        results.total_capped = len(rows) > CANDIDATES
        rows = rows[:CANDIDATES]
        results.total = len(rows)
        if params.facets and rows:
            results.facets = self._facets(rows)
        start, stop = params.offset, min(params.offset + params.per_page, results.total)
        scores = {}
        if start >= results.total:
            page_ids = []
        elif params.sort == "votes" and results.total_capped:
            # the most voted matches overall, not only among the newest: index on (votes, created_at, id)
            page_ids = list(qs.order_by("-votes", "-created_at", "-id").values_list("pk", flat=True)[start:stop])
        elif params.sort == "votes":
            page_ids = [r[0] for r in sorted(rows, key=lambda r: (-r[2], _desc_time(r[1]), -r[0]))[start:stop]]
        elif params.sort == "relevance" and rank is not None:
            scores = self._ranked(qs, rows, rank, title_match, match)
            order = sorted(scores, key=lambda pk: (-scores[pk][0], _desc_time(scores[pk][1]), -pk))
            page_ids = order[start:stop]
        else:  # newest, and relevance without word ranks (filters only, substrings)
            page_ids = [r[0] for r in rows[start:stop]]
        entries = (SearchEntry.objects.filter(pk__in=page_ids).select_related("text")
                   .defer("title_terms", "search_vector", "text__body_terms"))
        by_id = {e.pk: e for e in entries}
        results.hits = [self._hit(by_id[pk], terms, chunks, scores.get(pk, (0.0,))[0]) for pk in page_ids
                        if pk in by_id]
        if not results.total and terms:
            results.spelling = self._spelling(params.q, visibility)
        return results

    def _ranked(self, qs, rows, rank, title_match, match=None):
        """{id: (rank, created_at)} for the candidates and the newest TITLE_CANDIDATES entries
        whose title matches (a strong answer is never left out for being old), ranked on those
        rows only: ts_rank (bm25 on SQLite) reads each row's vector, so it must never run over
        every match of a common word."""
        scores = {r[0]: (float(r[7] or 0.0), r[1]) for r in rows if len(r) > 7}
        ids = [r[0] for r in rows if r[0] not in scores]
        if title_match is not None and len(rows) >= CANDIDATES:
            known = {r[0] for r in rows}
            titles = (qs.filter(title_match, post_number=1).order_by("-created_at", "-id")
                      .values_list("pk", flat=True)[:TITLE_CANDIDATES])
            ids += [pk for pk in titles if pk not in known]
        if ids and match is not None:
            # one array parameter, not a thousand placeholders (psycopg parses each query's text)
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT id, ts_rank(search_vector, to_tsquery('simple'::regconfig, %s)), "
                               f"EXTRACT(EPOCH FROM created_at)::float8 FROM {ENTRY_TABLE} WHERE id = ANY(%s)",
                               [match, ids])
                ranked = cursor.fetchall()
            scores.update((pk, (float(score or 0.0), created)) for pk, score, created in ranked)
        elif ids:
            ranked = SearchEntry.objects.filter(pk__in=ids).annotate(rank=rank).values_list("pk", "rank", "created_at")
            scores.update((pk, (float(score or 0.0), created)) for pk, score, created in ranked)
        return scores

    def _hit(self, entry, terms, chunks, score=0.0):
        return SearchHit(
            object_type=entry.object_type, object_id=entry.object_id, topic_id=entry.topic_id,
            post_number=entry.post_number, category_id=entry.category_id,
            author_username=entry.author_username, author_name=entry.author_name, title=entry.title,
            url=entry.url, created_at=entry.created_at, votes=entry.votes, featured=entry.featured,
            title_html=text.highlight(entry.title, terms, chunks=chunks, whole=True),
            snippet_html=text.highlight(self._body(entry), terms, chunks=chunks),
            score=score, is_visible=entry.is_visible,
        )

    @staticmethod
    def _body(entry):
        try:
            return entry.text.body
        except SearchEntryText.DoesNotExist:
            return ""

    def _facets(self, rows):
        """Counts over the candidates: exact when the total is, lower bounds when it is capped
        (the page then shows them with a '+')."""
        categories = Counter(r[3] for r in rows)
        authors = Counter(r[4] for r in rows)
        # topics per tag, from the tags each entry carries (kept current by index upkeep)
        tags = Counter(slug for _topic, slug in {(r[5], slug) for r in rows for slug in _tags(r[6])})

        def top(counter):
            return sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:FACET_SIZE]

        return {
            "category": top(categories),
            "tag": top(tags),
            "author": top(authors),
        }

    def _spelling(self, q, visibility):
        """Close topic titles for a query that found nothing (pg_trgm word similarity through
        the trigram index on opening posts' titles)."""
        if self.vendor != "postgresql":
            return []
        cleaned = text.clean_query(q)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL pg_trgm.word_similarity_threshold = %s", [str(SPELLING_SIMILARITY)])
            rows = list(
                self._visible(visibility).filter(post_number=1, title__trigram_word_similar=cleaned)
                .annotate(sim=TrigramWordSimilarity(Value(cleaned), "title"))
                .order_by("-sim", "-votes").values_list("title", flat=True)[:3]
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

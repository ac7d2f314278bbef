"""Reading the forum's activity as numpy columns, for KOL scoring and lifecycle classification.

Every query here is one SQL aggregation (GROUP BY in the database); the rows come back as integer
columns. On PostgreSQL the rows come packed in a few bytea chunks read with one numpy frombuffer
each (no Python object per row); elsewhere (SQLite in tests) through ``fetchmany`` batches.

The featured signal (精华) is read through one function, ``featured_counts``, from the forum's
``is_featured`` / ``featured_at`` fields on Topic and Post.
"""

import numpy as np
from django.db import connection


def adapt(value):
    """A datetime as the database driver wants it in a raw query."""
    return connection.ops.adapt_datetimefield_value(value)


def epoch(column):
    """SQL: the column (a timestamp) as whole seconds since 1970 (UTC)."""
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(EPOCH FROM {column}) AS BIGINT)"
    return f"CAST(strftime('%%s', {column}) AS INTEGER)"


def false():
    return "false" if connection.vendor == "postgresql" else "0"


def int_columns(sql, params, ncols):
    """Run `sql` (whose `ncols` columns are integers, never NULL) and return one int64 array per
    column. The row order is not kept: sort what needs an order."""
    if connection.vendor == "postgresql":
        return _pg_columns(sql, params, ncols)
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params or []))
        parts = []
        while True:
            rows = cursor.fetchmany(50_000)
            if not rows:
                break
            parts.append(np.asarray(rows, dtype=np.int64).reshape(-1, ncols))
    data = np.concatenate(parts) if parts else np.empty((0, ncols), dtype=np.int64)
    return [np.ascontiguousarray(data[:, i]) for i in range(ncols)]


def _pg_columns(sql, params, ncols, chunks=32):
    # The rows travel as a few bytea values: PostgreSQL packs each row's columns with int8send
    # (8 big-endian bytes each) and concatenates the rows of one chunk with string_agg; numpy
    # reads a chunk with one frombuffer. A Python object per row (a tuple, or a COPY message)
    # would cost more than the query itself at millions of rows.
    packed = " || ".join(f"int8send(CAST(q.c{i} AS BIGINT))" for i in range(ncols))
    names = ", ".join(f"c{i}" for i in range(ncols))
    statement = (f"SELECT string_agg({packed}, ''::bytea) FROM ({sql}) AS q ({names}) "
                 f"GROUP BY (CAST(q.c0 AS BIGINT) %% {int(chunks)})")
    parts = []
    with connection.cursor() as cursor:
        cursor.execute(statement, list(params or []))
        while True:
            row = cursor.fetchone()
            if row is None:
                break
            parts.append(np.frombuffer(bytes(row[0]), dtype=">i8").reshape(-1, ncols).astype(np.int64))
    data = np.concatenate(parts) if parts else np.empty((0, ncols), dtype=np.int64)
    return [np.ascontiguousarray(data[:, i]) for i in range(ncols)]


def work_mem(megabytes):
    """A context manager: PostgreSQL's work_mem for this connection (hash aggregates in memory)."""
    import contextlib

    @contextlib.contextmanager
    def setting():
        if connection.vendor != "postgresql":
            yield
            return
        with connection.cursor() as cursor:
            cursor.execute("SHOW work_mem")
            old = cursor.fetchone()[0]
            cursor.execute(f"SET work_mem = '{int(megabytes)}MB'")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('work_mem', %s, false)", [old])

    return setting()


def featured_counts(*, start, end, category_id=None):
    """(member ids, counts): how much of each member's content was featured (精华) in [start, end),
    by the time it was featured: featured topics (to the topic's author) plus featured posts (to
    the post's author; an opening post whose topic is featured too counts once). Hidden or deleted
    content does not count. The one place the featured signal is read."""
    f = false()
    cat = " AND t.category_id = %s" if category_id else ""
    window = [adapt(start), adapt(end)] + ([category_id] if category_id else [])
    sql = (
        "SELECT a, COUNT(*) FROM ("
        "SELECT t.author_id AS a FROM forum_topic t WHERE t.is_featured AND t.featured_at >= %s "
        f"AND t.featured_at < %s AND t.is_hidden = {f}{cat} "
        "UNION ALL "
        "SELECT p.author_id AS a FROM forum_post p JOIN forum_topic t ON t.id = p.topic_id "
        "WHERE p.is_featured AND p.featured_at >= %s AND p.featured_at < %s "
        f"AND p.is_hidden = {f} AND p.is_deleted = {f} AND t.is_hidden = {f} "
        f"AND NOT (p.number = 1 AND t.is_featured){cat}"
        ") AS featured GROUP BY a"
    )
    return int_columns(sql, window + window, 2)

"""The database backend's own tables: one row per indexed object in SearchEntry, with the fields
filters, sorts and visibility need, the title and its terms and the search vector (PostgreSQL's
tsvector, GIN index); its body and body terms in SearchEntryText, a side table read for one page
of hits and the substring fallback only. A search walks thousands of entries for their filters,
sort keys and vectors: without the bodies (two thirds of a row) they stay few pages, in memory.
SQLite's FTS5 table holds the title and body terms (rowid = entry id). The vendor's indexes are
created by migrations 0001-0003."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Lookup

FTS_TABLE = "huoli_search_fts"


class SearchTextField(models.TextField):
    """A TextField that knows the ``ilike`` lookup: a case-insensitive substring match written
    as ``ILIKE`` on PostgreSQL (so the pg_trgm GIN index serves it) and ``LIKE`` elsewhere."""


@SearchTextField.register_lookup
class ILikeContains(Lookup):
    lookup_name = "ilike"

    def get_db_prep_lookup(self, value, connection):
        escaped = str(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return ("%s", [f"%{escaped}%"])

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        op = "ILIKE" if connection.vendor == "postgresql" else "LIKE"
        return f"{lhs} {op} {rhs} ESCAPE '\\'", [*lhs_params, *rhs_params]


class SearchEntry(models.Model):
    object_type = models.CharField(max_length=30)
    object_id = models.BigIntegerField()
    topic = models.ForeignKey("forum.Topic", on_delete=models.CASCADE, related_name="+")
    post_number = models.PositiveIntegerField()
    category = models.ForeignKey("forum.Category", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    author_username = models.CharField(max_length=150)
    author_name = models.CharField(max_length=150)
    title = SearchTextField()
    url = models.CharField(max_length=300)
    tag_slugs = models.JSONField(default=list)
    title_terms = models.TextField(blank=True)
    is_visible = models.BooleanField(default=True)
    featured = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    votes = models.IntegerField(default=0)
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["object_type", "object_id"], name="search_entry_object_uniq")]
        indexes = [
            models.Index(fields=["post_number", "is_visible"], name="search_entry_topics"),
            # newest first and most voted first, with their tie-breaks, so that a search reads the
            # first rows of the index and stops (see backends.database: candidates, votes sort)
            models.Index(fields=["-created_at", "-id"], name="search_entry_newest"),
            models.Index(fields=["-votes", "-created_at", "-id"], name="search_entry_votes"),
            # "featured only" is a rare filter: its own small index instead of a walk of every row
            models.Index(fields=["-created_at", "-id"], condition=models.Q(featured=True),
                         name="search_entry_featured"),
            # a category or an author filter walks its own newest entries, not everyone's
            models.Index(fields=["category", "-created_at", "-id"], name="search_entry_category_newest"),
            models.Index(fields=["author_username", "-created_at", "-id"], name="search_entry_author_newest"),
        ]

    def __str__(self):
        return f"{self.object_type}:{self.object_id}"


class SearchEntryText(models.Model):
    """The bulky part of an entry: its body (highlighted snippets, the substring fallback through
    a pg_trgm index) and the body's segmented terms (the vector is computed from them when the
    entry is written). No database constraint: the backend writes and deletes both rows together
    (Django's cascade still follows the relation when an entry is deleted through the ORM)."""

    entry = models.OneToOneField(SearchEntry, on_delete=models.CASCADE, primary_key=True, related_name="text",
                                 db_constraint=False)
    body = SearchTextField()
    body_terms = models.TextField(blank=True)

    def __str__(self):
        return f"text of {self.entry_id}"

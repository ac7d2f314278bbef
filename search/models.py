"""The database backend's own table: one row per indexed object, with the segmented terms that
feed PostgreSQL's tsvector (GIN index) or SQLite's FTS5 table, and the fields filters, sorts and
visibility need. Both indexes are created by migration 0001 for the database vendor in use."""

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
    body = SearchTextField()
    url = models.CharField(max_length=300)
    tag_slugs = models.JSONField(default=list)
    title_terms = models.TextField(blank=True)
    body_terms = models.TextField(blank=True)
    is_visible = models.BooleanField(default=True)
    featured = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    votes = models.IntegerField(default=0)
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["object_type", "object_id"], name="search_entry_object_uniq")]
        indexes = [
            models.Index(fields=["post_number", "is_visible"], name="search_entry_topics"),
            models.Index(fields=["-created_at"], name="search_entry_newest"),
            models.Index(fields=["author_username"], name="search_entry_author"),
        ]

    def __str__(self):
        return f"{self.object_type}:{self.object_id}"

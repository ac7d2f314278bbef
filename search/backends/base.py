"""The one search interface. A backend indexes and deletes SearchDocuments and answers searches
and title suggestions for a reader already reduced to a Visibility. Every backend must pass
tests/search/contract.py."""

from abc import ABC, abstractmethod

from django.conf import settings
from django.utils.module_loading import import_string

BACKENDS = {
    "database": "search.backends.database.DatabaseSearchBackend",
    "elasticsearch": "search.backends.elasticsearch.ElasticsearchSearchBackend",
}


class BaseSearchBackend(ABC):
    """Every method is abstract: a backend that leaves one out cannot be instantiated."""

    name = ""

    @abstractmethod
    def index(self, documents):
        """Add or replace documents (by object_type and object_id)."""

    @abstractmethod
    def delete(self, object_type, object_ids):
        """Remove documents; ids that are not indexed are ignored."""

    @abstractmethod
    def search(self, params, visibility):
        """SearchResults for SearchParams, showing only what ``visibility`` allows."""

    @abstractmethod
    def suggest(self, q, visibility, *, limit=8):
        """Topic titles for a partly typed query: a list of Suggestion."""

    @abstractmethod
    def rebuild(self, definitions, *, progress=None, chunk_size=None, workers=None):
        """Rebuild the whole index from the definitions. ``progress(done, total)`` is called after
        each chunk; ``workers``: processes preparing documents, where the backend can use them.
        Returns the number of documents indexed."""

    @abstractmethod
    def clear(self):
        """Remove every document."""


_backend = None


def load_backend(name):
    """A new backend instance by name ('database', 'elasticsearch') or dotted path."""
    return import_string(BACKENDS.get(name, name))()


def get_backend(*, refresh=False):
    global _backend
    name = settings.SEARCH_BACKEND
    if refresh or _backend is None or _backend.name != name:
        _backend = load_backend(name)
    return _backend


def reset_backend():
    global _backend
    _backend = None

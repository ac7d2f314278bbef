"""What is searchable, declared per content type (as Wagtail's ``search_fields``), from search's
side so the forum never imports search. ``search/indexes.py`` declares the forum's posts; another
app adds its own with ``registry.register(MyIndex())`` from search's AppConfig.ready()."""


from abc import ABC, abstractmethod


class IndexDefinition(ABC):
    """One kind of searchable object. Subclasses name it and turn an object into a
    SearchDocument; the base supplies chunked iteration for rebuilds."""

    object_type = ""
    model = None
    chunk_size = 1000

    def queryset(self):
        return self.model._default_manager.all()

    @abstractmethod
    def document(self, obj):
        """The SearchDocument of ``obj``, or None when it must not be indexed."""

    def objects_for_ids(self, ids):
        return list(self.queryset().filter(pk__in=list(ids)))

    def ids_for_topic(self, topic_id):
        return []

    def count(self):
        return self.queryset().count()

    def id_chunks(self, *, chunk_size=None):
        """Every primary key in order, in lists of ``chunk_size`` (what a rebuild hands to its
        workers: one query for the ids, then each chunk is read by ``objects_for_ids``)."""
        size = chunk_size or self.chunk_size
        ids = list(self.queryset().prefetch_related(None).order_by("pk").values_list("pk", flat=True))
        return [ids[start:start + size] for start in range(0, len(ids), size)]

    def iter_documents(self, *, chunk_size=None):
        """All documents, in primary-key order, chunk by chunk (keyset pagination: constant
        memory and no OFFSET cost on a large table)."""
        size = chunk_size or self.chunk_size
        last = 0
        while True:
            chunk = list(self.queryset().filter(pk__gt=last).order_by("pk")[:size])
            if not chunk:
                return
            yield [self.document(obj) for obj in chunk]
            last = chunk[-1].pk


_registry = {}


def register(definition):
    if not definition.object_type:
        raise ValueError("An index definition needs an object_type.")
    _registry[definition.object_type] = definition
    return definition


def get(object_type):
    return _registry[object_type]


def definitions():
    return list(_registry.values())

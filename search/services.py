"""Every write to the search index. Called by search.tasks (after commit) and the reindex
command; never from a request, so a slow or absent engine never fails a forum write."""

from . import registry
from .backends.base import get_backend, load_backend


def index_objects(*, object_type, ids):
    """Bring the index in line with the database for these objects: index the ones that exist,
    remove the ones that do not (deleted since)."""
    definition = registry.get(object_type)
    ids = {int(pk) for pk in ids}
    if not ids:
        return 0
    objects = definition.objects_for_ids(ids)
    backend = get_backend()
    documents = [definition.document(obj) for obj in objects]
    indexed = backend.index(documents) if documents else 0
    missing = ids - {obj.pk for obj in objects}
    if missing:
        backend.delete(object_type, sorted(missing))
    return indexed


def index_topic(*, topic_id):
    """Re-index everything of one topic (its title, category, tags or visibility changed)."""
    count = 0
    for definition in registry.definitions():
        ids = definition.ids_for_topic(topic_id)
        if ids:
            count += index_objects(object_type=definition.object_type, ids=ids)
    return count


def remove_objects(*, object_type, ids):
    return get_backend().delete(object_type, [int(pk) for pk in ids])


def rebuild(*, progress=None, chunk_size=None, backend=None, workers=None):
    """Rebuild every registered kind of object; ``backend`` names one other than the configured,
    ``workers`` how many processes prepare documents (the database backend on PostgreSQL)."""
    engine = load_backend(backend) if backend else get_backend()
    return engine.rebuild(registry.definitions(), progress=progress, chunk_size=chunk_size, workers=workers)

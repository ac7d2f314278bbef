"""Thin Celery tasks that keep the index up to date; ids in, safe to run twice."""

from celery import shared_task
from django.db import IntegrityError, OperationalError
from elastic_transport import TransportError

from . import services

RETRY = {"autoretry_for": (TransportError, OperationalError, IntegrityError), "retry_backoff": True, "max_retries": 5,
         "acks_late": True}


@shared_task(**RETRY)
def search_index_objects(object_type, ids):
    return services.index_objects(object_type=object_type, ids=ids)


@shared_task(**RETRY)
def search_index_topic(topic_id):
    return services.index_topic(topic_id=topic_id)


@shared_task(**RETRY)
def search_remove_objects(object_type, ids):
    return services.remove_objects(object_type=object_type, ids=ids)

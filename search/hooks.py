"""Index upkeep: the forum's events owe a Celery task that re-reads the objects and updates the
index. The receivers are durable (forum.outbox): the task is written to the outbox in the
change's own transaction, so a rolled-back write never reaches the index and a committed one always
does, even when the broker loses its queue.

Posts removed from the database outright (a topic deleted in the admin) leave through Django's
post_delete signal, also through the outbox; that is index upkeep, what signals are for."""

from django.db.models.signals import post_delete

from forum import hooks, outbox
from forum.hooks import template_slots
from forum.lib import slots
from forum.models import Post

from . import tasks

# topic changes that do not alter anything the index holds
UNINDEXED_TOPIC_CHANGES = frozenset({"locked", "pinned"})


def _index_post(post):
    outbox.enqueue(tasks.search_index_objects, "post", [post.pk])


def _index_topic(topic_id):
    outbox.enqueue(tasks.search_index_topic, topic_id)


@hooks.post_created.connect_durable
def on_post_created(*, post, actor, **kwargs):
    _index_post(post)


@hooks.post_edited.connect_durable
def on_post_edited(*, post, actor, **kwargs):
    if post.number == 1:
        # the title may have changed, and every post of the topic carries it
        _index_topic(post.topic_id)
    else:
        _index_post(post)


@hooks.post_hidden.connect_durable
def on_post_hidden(*, post, actor, **kwargs):
    _index_post(post)


@hooks.vote_changed.connect_durable
def on_vote_changed(*, post, **kwargs):
    _index_post(post)


@hooks.topic_changed.connect_durable
def on_topic_changed(*, topic, change="", **kwargs):
    if change not in UNINDEXED_TOPIC_CHANGES:
        _index_topic(topic.pk)


@hooks.topic_moved.connect_durable
def on_topic_moved(*, topic, **kwargs):
    _index_topic(topic.pk)


def on_post_deleted(sender, instance, **kwargs):
    pk = instance.pk
    outbox.enqueue(tasks.search_remove_objects, "post", [pk])  # in the delete's transaction


post_delete.connect(on_post_deleted, sender=Post, dispatch_uid="huoli_search_post_deleted")


# the search box in the site header, its stylesheet and the suggestions script
template_slots.register("head", slots.stylesheet("search/search.css"), order=10)
template_slots.register("header", slots.template("search/includes/header_search.html"))
template_slots.register("scripts", slots.script("search/search-suggest.js"), order=20)

"""Scale-out switches: the channel layer sharded over several Redis servers (CHANNEL_REDIS_URLS), Celery
queues per kind of work (CELERY_TASK_ROUTES, one worker service per queue in compose), and an Elasticsearch
cluster of several hosts (ELASTICSEARCH_URL, comma-separated). Settings are read in a fresh interpreter."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _settings(code, **env):
    clean = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": "",
             "REDIS_URL": "", "ELASTICSEARCH_URL": "", **env}
    out = subprocess.run([sys.executable, "-c", "import django, json; django.setup()\n" + code], env=clean, cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


LAYER = ("from django.conf import settings as s; c = s.CHANNEL_LAYERS['default']; "
         "print(json.dumps([c['BACKEND'], [h['address'] for h in c['CONFIG']['hosts']]]))")


def test_the_channel_layer_shards_over_every_listed_redis():
    backend, hosts = _settings(LAYER, REDIS_URL="redis://redis:6379/0",
                               CHANNEL_REDIS_URLS="redis://redis-a:6379/0,redis://redis-b:6379/0")
    assert backend == "channels_redis.pubsub.RedisPubSubChannelLayer"
    assert hosts == ["redis://redis-a:6379/0", "redis://redis-b:6379/0"]


def test_the_channel_layer_defaults_to_redis_url():
    assert _settings(LAYER, REDIS_URL="redis://redis:6379/0")[1] == ["redis://redis:6379/0"]


def test_a_sharded_pubsub_layer_spreads_groups_over_the_shards():
    """channels-redis picks one shard per group name, the same on every node."""
    code = ("from django.conf import settings as s; from channels_redis.pubsub import RedisPubSubLoopLayer; "
            "layer = RedisPubSubLoopLayer(**s.CHANNEL_LAYERS['default']['CONFIG']); "
            "names = [layer._get_group_channel_name(f'topic.{n}') for n in range(40)]; "
            "print(json.dumps([layer._get_shard(n).host['address'] for n in names]))")
    shards = _settings(code, REDIS_URL="redis://redis:6379/0",
                       CHANNEL_REDIS_URLS="redis://redis-a:6379/0,redis://redis-b:6379/0")
    assert set(shards) == {"redis://redis-a:6379/0", "redis://redis-b:6379/0"}
    again = _settings(code, REDIS_URL="redis://redis:6379/0",
                      CHANNEL_REDIS_URLS="redis://redis-a:6379/0,redis://redis-b:6379/0")
    assert again == shards


def test_each_task_goes_to_the_queue_of_its_kind_of_work():
    code = ("from config.celery import app; app.loader.import_default_modules(); "
            "print(json.dumps({n: app.amqp.router.route({}, n)['queue'].name for n in app.tasks "
            "if not n.startswith('celery.')}))")
    queues = _settings(code)
    assert set(queues.values()) == {"interactive", "bulk", "scoring"}
    assert queues["engagement.kol.tasks.kol_scores_compute_task"] == "scoring"
    assert queues["engagement.lifecycle.tasks.lifecycle_classify_task"] == "scoring"
    assert queues["search.tasks.search_index_objects"] == "bulk"
    assert queues["mailings.tasks.mail_send_due"] == "bulk"
    assert queues["engagement.polls.tasks.polls_close_overdue_task"] == "bulk"
    assert queues["forum.tasks.post_notify"] == "interactive"
    assert queues["forum.tasks.outbox_deliver"] == "interactive"
    assert queues["mailings.tasks.mail_notification"] == "interactive"


def test_elasticsearch_takes_several_hosts():
    code = ("from django.conf import settings as s; from search.backends.elasticsearch import make_client; "
            "c = make_client(); print(json.dumps([s.ELASTICSEARCH_HOSTS, len(c.transport.node_pool.all()), "
            "s.ELASTICSEARCH_SHARDS, s.ELASTICSEARCH_REPLICAS]))")
    hosts, nodes, shards, replicas = _settings(code, ELASTICSEARCH_URL="http://es-1:9200, http://es-2:9200,http://es-3:9200",
                                               ELASTICSEARCH_SHARDS="3", ELASTICSEARCH_REPLICAS="1")
    assert hosts == ["http://es-1:9200", "http://es-2:9200", "http://es-3:9200"]
    assert (nodes, shards, replicas) == (3, 3, 1)

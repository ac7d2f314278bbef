"""The Elasticsearch backend without a server: mappings and queries through ``.to_dict()``, and
the whole backend (the real client, ``Search.execute()``, ``helpers.bulk()``) through a recording
node class. The contract runs on the recorder, and on a real cluster when ELASTICSEARCH_URL is set."""

import json
import os
import uuid

import pytest
from django.contrib.auth.models import AnonymousUser

from forum import services as forum
from forum.moderation import registry
from search import services
from search.backends.base import get_backend, reset_backend
from search.backends.elasticsearch import (
    ElasticsearchSearchBackend,
    PostDocument,
    analysis_settings,
    build_search,
    build_suggest,
    index_body,
)
from search.documents import SearchParams, Visibility
from tests.factories import CategoryFactory, TopicFactory, UserFactory

from .contract import INJECTIONS, SearchBackendContract
from .es_recorder import FakeCluster, RecordingNode

ALIAS = "huoli-test-posts"


@pytest.fixture
def es_backend(settings):
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = "http://es.test:9200"
    settings.ELASTICSEARCH_INDEX_PREFIX = "huoli-test"
    settings.ELASTICSEARCH_CJK_ANALYZER = "auto"
    settings.ELASTICSEARCH_CLIENT_OPTIONS = {"node_class": RecordingNode}
    RecordingNode.reset()
    reset_backend()
    backend = get_backend()
    assert isinstance(backend, ElasticsearchSearchBackend)
    yield backend
    reset_backend()
    RecordingNode.reset()


class TestElasticsearchContractRecorded(SearchBackendContract):
    @pytest.fixture
    def backend(self, es_backend):
        return es_backend


@pytest.mark.elasticsearch
class TestElasticsearchContractLive(SearchBackendContract):
    """The same contract against a real cluster (ELASTICSEARCH_URL=http://127.0.0.1:9200)."""

    @pytest.fixture
    def backend(self, settings):
        url = os.environ["ELASTICSEARCH_URL"]  # the elasticsearch marker: deselected without one
        settings.SEARCH_BACKEND = "elasticsearch"
        settings.ELASTICSEARCH_URL = url
        settings.ELASTICSEARCH_INDEX_PREFIX = f"huoli-test-{uuid.uuid4().hex[:8]}"
        reset_backend()
        backend = get_backend()
        yield backend
        backend.clear()
        reset_backend()

    def refresh(self, backend):
        backend.refresh()


# --- mappings and queries as dicts ------------------------------------------------------------
def test_mapping_has_cjk_english_and_search_as_you_type():
    mapping = PostDocument._doc_type.mapping.to_dict()["properties"]
    assert mapping["title"]["analyzer"] == "huoli_text"
    assert mapping["title"]["search_analyzer"] == "huoli_text_search"
    assert mapping["title"]["fields"]["english"] == {"type": "text", "analyzer": "english"}
    assert mapping["title"]["fields"]["suggest"]["type"] == "search_as_you_type"
    assert mapping["body"]["fields"]["english"]["analyzer"] == "english"
    for keyword in ("category_id", "tag_slugs", "author_username", "is_visible", "featured", "created_at", "votes"):
        assert mapping[keyword]["type"] in {"keyword", "integer", "boolean", "date"}, keyword
    assert mapping["topic_title"] == {"type": "keyword", "index": False}


def test_analysis_follows_the_cluster_plugin():
    cjk = analysis_settings("cjk")
    assert cjk["analyzer"]["huoli_text"]["filter"] == ["cjk_width", "lowercase", "huoli_bigram_index"]
    assert cjk["filter"]["huoli_bigram_index"] == {"type": "cjk_bigram", "output_unigrams": True}
    assert analysis_settings("ik")["analyzer"]["huoli_text"]["tokenizer"] == "ik_max_word"
    assert analysis_settings("ik")["analyzer"]["huoli_text_search"]["tokenizer"] == "ik_smart"
    assert analysis_settings("smartcn")["analyzer"]["huoli_text"]["tokenizer"] == "smartcn_tokenizer"
    loading = index_body("cjk", loading=True)["settings"]
    assert loading["refresh_interval"] == "-1" and loading["number_of_replicas"] == 0


@pytest.mark.parametrize("plugins,expected", [((), "cjk"), (("analysis-smartcn",), "smartcn"),
                                              (("analysis-icu", "analysis-ik"), "ik")])
def test_plugin_detection(es_backend, plugins, expected):
    RecordingNode.reset(plugins=plugins)
    assert es_backend.detect_plugin() == expected
    assert RecordingNode.find("GET", "/_cat/plugins")


def test_plugin_setting_overrides_detection(es_backend, settings):
    settings.ELASTICSEARCH_CJK_ANALYZER = "smartcn"
    assert es_backend.detect_plugin() == "smartcn"
    assert not RecordingNode.find("GET", "/_cat/plugins")


def test_search_request_shape():
    visibility = Visibility(category_ids=frozenset({3, 1}), include_hidden=False)
    params = SearchParams(q="如何发掘社区中的KOL用户？", tag="运营", author="alice", sort="votes", page=3, per_page=10,
                          facets=True, featured=True)
    body = build_search(params, visibility).to_dict()
    bool_query = body["query"]["bool"]
    assert {"terms": {"category_id": [1, 3]}} in bool_query["filter"]
    assert {"term": {"is_visible": True}} in bool_query["filter"]
    assert {"term": {"tag_slugs": "运营"}} in bool_query["filter"]
    assert {"term": {"author_username": "alice"}} in bool_query["filter"]
    assert {"term": {"featured": True}} in bool_query["filter"]
    matches = bool_query["must"][0]["bool"]["should"]
    assert matches[0]["multi_match"]["query"] == "如何 发掘 社区 中 kol 用户"
    assert matches[0]["multi_match"]["operator"] == "and"
    assert matches[0]["multi_match"]["type"] == "cross_fields"
    assert matches[1]["multi_match"]["type"] == "bool_prefix"
    assert "post_filter" not in body  # visibility is in the query, so aggregations cannot leak
    assert body["from"] == 20 and body["size"] == 10
    assert body["sort"][0] == {"votes": "desc"}
    assert body["highlight"]["encoder"] == "html" and body["highlight"]["pre_tags"] == ["<mark>"]
    assert set(body["aggs"]) == {"category", "tag", "author"}
    assert body["track_total_hits"] is True


def test_staff_and_moderators_requests():
    everything = build_search(SearchParams(q="x y"), Visibility(category_ids=None, include_hidden=True)).to_dict()
    assert everything["query"]["bool"].get("filter", []) == []


@pytest.mark.parametrize("q", INJECTIONS)
def test_injection_never_becomes_query_syntax(q):
    body = build_search(SearchParams(q=q), Visibility(category_ids=frozenset({1}))).to_dict()
    dumped = json.dumps(body, ensure_ascii=False)
    assert "query_string" not in dumped and "simple_query_string" not in dumped and "script" not in dumped
    if "must" in body["query"]["bool"] and "bool" in body["query"]["bool"]["must"][0]:
        text = body["query"]["bool"]["must"][0]["bool"]["should"][0]["multi_match"]["query"]
        assert all(ch.isalnum() or ch == " " for ch in text), text


def test_suggest_request_shape():
    body = build_suggest("running postg", Visibility(category_ids=frozenset({2}))).to_dict()
    assert body["query"]["bool"]["must"][0]["multi_match"] == {
        "query": "running postg", "fields": ["title.suggest", "title.suggest._2gram", "title.suggest._3gram"],
        "type": "bool_prefix", "operator": "and"}
    assert {"term": {"post_number": 1}} in body["query"]["bool"]["filter"]
    assert {"terms": {"category_id": [2]}} in body["query"]["bool"]["filter"]
    assert body["size"] == 8


# --- the backend through the recording transport ----------------------------------------------
@pytest.mark.django_db
def test_upkeep_sends_bulk_requests_after_commit(es_backend, moderator, django_capture_on_commit_callbacks):
    author = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        topic = TopicFactory.create(author=author, title="如何发掘社区中的KOL用户", body="正文 body")
    first_post = topic.posts.get(number=1)
    # the first write creates the index and its alias, then bulk-indexes the post through the alias
    created = RecordingNode.find("PUT", "/huoli-test-posts-")
    assert len(created) == 1 and created[0]["body"]["mappings"]["properties"]["title"]["analyzer"] == "huoli_text"
    aliases = RecordingNode.find("POST", "/_aliases")
    assert aliases[0]["body"]["actions"] == [{"add": {"index": created[0]["path"].strip("/"), "alias": ALIAS}}]
    bulk = RecordingNode.find("PUT", "/_bulk") + RecordingNode.find("POST", "/_bulk")
    assert bulk, [r["path"] for r in RecordingNode.requests]
    action, source = bulk[-1]["body"][:2]
    assert action == {"index": {"_index": ALIAS, "_id": f"post:{first_post.pk}"}}
    assert source["title"] == "如何发掘社区中的KOL用户" and source["is_visible"] is True
    assert source["category_id"] == topic.category_id and source["post_number"] == 1

    RecordingNode.requests.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reply = forum.post_create(actor=UserFactory(), topic=topic, body="a reply 回复")
    action, source = RecordingNode.requests[-1]["body"][:2]
    assert action["index"]["_id"] == f"post:{reply.pk}"
    assert "title" not in source and source["topic_title"] == topic.title  # replies are not found by title

    RecordingNode.requests.clear()
    with django_capture_on_commit_callbacks(execute=True):
        registry.run("post", "hide", actor=moderator, obj=reply)
    assert RecordingNode.requests[-1]["body"][1]["is_visible"] is False

    RecordingNode.requests.clear()
    with django_capture_on_commit_callbacks(execute=True):
        registry.run("topic", "hide", actor=moderator, obj=topic)
    sent = RecordingNode.requests[-1]["body"]
    assert {line["index"]["_id"] for line in sent[::2]} == {f"post:{first_post.pk}", f"post:{reply.pk}"}
    assert all(source["is_visible"] is False for source in sent[1::2])


@pytest.mark.django_db
def test_rebuild_swaps_the_alias_with_zero_downtime(es_backend):
    TopicFactory.create(title="第一个话题 first topic", body="正文一")
    TopicFactory.create(title="第二个话题 second topic", body="正文二")
    services.rebuild()
    first_index = sorted(RecordingNode.cluster.aliases[ALIAS])
    RecordingNode.requests.clear()

    seen = []
    done = services.rebuild(progress=lambda n, total: seen.append((n, total)), chunk_size=1)
    assert done == 2 and seen == [(0, 2), (1, 2), (2, 2)]
    calls = [(r["method"], r["path"]) for r in RecordingNode.requests]
    new_index = next(p.strip("/") for m, p in calls if m == "PUT" and p.startswith(f"/{ALIAS}-"))
    create = RecordingNode.find("PUT", f"/{new_index}")[0]
    assert create["body"]["settings"]["refresh_interval"] == "-1"
    bulk_targets = {line["index"]["_index"] for r in RecordingNode.find(path_contains="_bulk")
                    for line in r["body"][::2]}
    assert bulk_targets == {new_index}  # loaded beside the live index, not through the alias
    swap = RecordingNode.find("POST", "/_aliases")
    assert len(swap) == 1 and swap[0]["body"]["actions"] == [
        {"remove": {"index": first_index[0], "alias": ALIAS}}, {"add": {"index": new_index, "alias": ALIAS}}]
    order = [c for c in calls if c[0] in {"PUT", "POST", "DELETE"} and "_bulk" not in c[1]]
    assert order.index(("POST", "/_aliases")) < order.index(("DELETE", f"/{first_index[0]}"))
    assert RecordingNode.cluster.aliases[ALIAS] == {new_index}
    assert first_index[0] not in RecordingNode.cluster.indices
    settings_call = RecordingNode.find("PUT", f"/{new_index}/_settings")[0]
    assert settings_call["body"]["index"]["refresh_interval"] == "1s"


@pytest.mark.django_db
def test_delete_ignores_documents_that_are_not_there(es_backend):
    es_backend.delete("post", [123456])
    line = RecordingNode.find(path_contains="_bulk")[-1]["body"]
    assert line == [{"delete": {"_index": ALIAS, "_id": "post:123456"}}]


class CannedCluster(FakeCluster):
    """Answers every search with a response captured from Elasticsearch 9 (shape and values)."""

    RESPONSE = {
        "took": 7, "timed_out": False, "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
        "hits": {"total": {"value": 41, "relation": "eq"}, "max_score": 12.3, "hits": [{
            "_index": "huoli-test-posts-20250101000000000000", "_id": "post:17", "_score": 12.3,
            "_source": {"object_type": "post", "object_id": 17, "topic_id": 9, "post_number": 3,
                        "category_id": 4, "tag_slugs": ["运营"], "author_id": 5, "author_username": "alice",
                        "author_name": "Alice", "topic_title": "如何发掘社区中的KOL用户",
                        "body": "我们的<script>alert(1)</script>社区", "url": "/p/17/", "is_visible": True,
                        "featured": False, "created_at": "2025-03-01T08:00:00+08:00", "votes": 4},
            "highlight": {"body": ["我们的&lt;script&gt;alert(1)&lt;&#x2F;script&gt;<mark>社区</mark>"],
                          "body.english": ["<img src=x onerror=alert(1)><mark>x</mark>"]},
            "sort": [12.3, 1740787200000]}]},
        "aggregations": {
            "category": {"doc_count_error_upper_bound": 0, "sum_other_doc_count": 0,
                         "buckets": [{"key": 4, "doc_count": 30}, {"key": 7, "doc_count": 11}]},
            "tag": {"doc_count_error_upper_bound": 0, "sum_other_doc_count": 0,
                    "buckets": [{"key": "运营", "doc_count": 12}]},
            "author": {"doc_count_error_upper_bound": 0, "sum_other_doc_count": 3,
                       "buckets": [{"key": "alice", "doc_count": 9}]}},
    }

    def handle(self, method, path, query, body):
        if path.endswith("/_search"):
            return 200, self.RESPONSE
        return super().handle(method, path, query, body)


@pytest.mark.django_db
def test_parses_a_real_response_and_sanitises_highlights(es_backend):
    RecordingNode.cluster = CannedCluster()
    results = es_backend.search(SearchParams(q="社区", facets=True), Visibility(category_ids=frozenset({4, 7})))
    assert results.total == 41
    hit = results.hits[0]
    assert (hit.object_id, hit.topic_id, hit.post_number, hit.votes) == (17, 9, 3, 4)
    assert hit.snippet_html == "我们的&lt;script&gt;alert(1)&lt;/script&gt;<mark>社区</mark>"
    assert hit.created_at.isoformat() == "2025-03-01T08:00:00+08:00"
    assert results.facets == {"category": [(4, 30), (7, 11)], "tag": [("运营", 12)], "author": [("alice", 9)]}
    # the title had no highlight: it is built (escaped) from the source
    assert "<mark>社区</mark>" in hit.title_html


def test_unescaped_markup_in_a_fragment_is_neutralised():
    from search.backends.elasticsearch import first_fragment

    out = first_fragment({"body": ["<img src=x onerror=alert(1)><mark>x</mark></mark><mark>"]}, "body")
    assert out == "&lt;img src=x onerror=alert(1)&gt;<mark>x</mark><mark></mark>"


@pytest.mark.django_db
def test_spelling_from_the_term_suggester(es_backend):
    class Spelling(FakeCluster):
        def handle(self, method, path, query, body):
            if path.endswith("/_search"):
                return 200, {"took": 1, "timed_out": False, "_shards": {"total": 1, "successful": 1, "failed": 0},
                             "hits": {"total": {"value": 0, "relation": "eq"}, "max_score": None, "hits": []},
                             "suggest": {"spelling": [
                                 {"text": "databse", "offset": 0, "length": 7,
                                  "options": [{"text": "database", "score": 0.86, "freq": 12}]},
                                 {"text": "tunning", "offset": 8, "length": 7,
                                  "options": [{"text": "tuning", "score": 0.83, "freq": 3}]}]}}
            return super().handle(method, path, query, body)

    RecordingNode.cluster = Spelling()
    results = es_backend.search(SearchParams(q="databse tunning"), Visibility(category_ids=None))
    assert results.total == 0 and results.spelling == ["database tuning"]
    sent = RecordingNode.find(path_contains="_search")[-1]["body"]
    assert sent["suggest"]["spelling"]["term"]["field"] == "body"


@pytest.mark.django_db
def test_reindex_command_on_elasticsearch(es_backend):
    from io import StringIO

    from django.core.management import call_command

    TopicFactory.create(category=CategoryFactory(), title="命令行重建索引", body="reindex body")
    out = StringIO()
    call_command("search_reindex", "--backend", "elasticsearch", stdout=out)
    assert "Indexed 1 documents" in out.getvalue()
    assert "100% 1/1" in out.getvalue()
    assert RecordingNode.cluster.aliases[ALIAS]
    results = get_backend().search(SearchParams(q="重建索引"), Visibility(category_ids=None))
    assert results.total == 1


def test_anonymous_visibility_is_derived_from_forum_rules(db):
    from django.contrib.auth.models import Group

    from search.visibility import visibility_for

    open_cat = CategoryFactory()
    private = CategoryFactory(read_group=Group.objects.create(name="Inner"))
    vis = visibility_for(AnonymousUser(), include_hidden=True)
    assert open_cat.pk in vis.category_ids and private.pk not in vis.category_ids
    assert vis.include_hidden is False

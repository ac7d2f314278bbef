"""The Elasticsearch backend, through ``elasticsearch.dsl``.

- ``PostDocument`` maps every field; text fields use the analyzer ``huoli_text`` whose definition
  depends on the cluster: ``ik`` (ik_max_word to index, ik_smart to search) or ``smartcn`` when the
  plugin is installed, otherwise the built-in CJK bigram chain (standard tokenizer, cjk_width,
  lowercase, cjk_bigram). Each text field has an ``.english`` sub-field with the stemming
  ``english`` analyzer; the title has a ``search_as_you_type`` sub-field for suggestions.
- Readers reach the index through an alias. ``rebuild`` loads a new timestamped index with
  ``helpers.bulk`` and swaps the alias atomically (zero downtime), then drops the old index.
- Queries are ``multi_match`` on the cleaned text (analysed, never parsed as query syntax);
  visibility and filters are ``bool.filter`` clauses so aggregations (facets) and highlights only
  ever see what the reader may see. Highlights use the ``html`` encoder and are re-sanitised.
"""

import datetime

from django.conf import settings
from django.utils import timezone
from elasticsearch import Elasticsearch, NotFoundError, helpers
from elasticsearch.dsl import Boolean, Date, Document, Integer, Keyword, Long, Q, Search, SearchAsYouType, Text

from .. import text
from ..documents import SearchHit, SearchResults, Suggestion
from .base import BaseSearchBackend

TEXT_ANALYZER = "huoli_text"
SEARCH_ANALYZER = "huoli_text_search"
SUGGEST_FIELDS = ["title.suggest", "title.suggest._2gram", "title.suggest._3gram"]
TEXT_FIELDS = ["title^3", "title.english^3", "body", "body.english"]
FACET_SIZE = 10
BULK_CHUNK = 500


def _text(**kwargs):
    return Text(analyzer=TEXT_ANALYZER, search_analyzer=SEARCH_ANALYZER,
                fields={"english": Text(analyzer="english")}, **kwargs)


class PostDocument(Document):
    object_type = Keyword()
    object_id = Long()
    topic_id = Long()
    post_number = Integer()
    category_id = Integer()
    tag_slugs = Keyword(multi=True)
    author_id = Long()
    author_username = Keyword()
    author_name = Keyword(index=False)
    # title is indexed on the opening post only; topic_title is for display on every post
    title = Text(analyzer=TEXT_ANALYZER, search_analyzer=SEARCH_ANALYZER, fields={
        "english": Text(analyzer="english"),
        "suggest": SearchAsYouType(analyzer=SEARCH_ANALYZER),
    })
    topic_title = Keyword(index=False)
    body = _text()
    url = Keyword(index=False)
    is_visible = Boolean()
    featured = Boolean()
    created_at = Date()
    votes = Integer()

    @classmethod
    def from_search_document(cls, doc, index):
        return cls(
            meta={"id": doc.key, "index": index},
            object_type=doc.object_type, object_id=doc.object_id, topic_id=doc.topic_id,
            post_number=doc.post_number, category_id=doc.category_id, tag_slugs=list(doc.tag_slugs),
            author_id=doc.author_id, author_username=doc.author_username, author_name=doc.author_name,
            title=doc.title if doc.is_topic else None, topic_title=doc.title, body=doc.body, url=doc.url,
            is_visible=doc.is_visible, featured=doc.featured, created_at=doc.created_at, votes=doc.votes,
        )


def analysis_settings(plugin):
    """Index analysis for the CJK plugin the cluster has: 'ik', 'smartcn' or 'cjk' (built in)."""
    if plugin == "ik":
        return {"analyzer": {
            TEXT_ANALYZER: {"type": "custom", "tokenizer": "ik_max_word", "filter": ["lowercase"]},
            SEARCH_ANALYZER: {"type": "custom", "tokenizer": "ik_smart", "filter": ["lowercase"]},
        }}
    if plugin == "smartcn":
        return {"analyzer": {
            TEXT_ANALYZER: {"type": "custom", "tokenizer": "smartcn_tokenizer", "filter": ["lowercase"]},
            SEARCH_ANALYZER: {"type": "custom", "tokenizer": "smartcn_tokenizer", "filter": ["lowercase"]},
        }}
    return {
        "filter": {
            # unigrams too in the index, so a one-character query finds the words that contain it
            "huoli_bigram_index": {"type": "cjk_bigram", "output_unigrams": True},
            "huoli_bigram_search": {"type": "cjk_bigram", "output_unigrams": False},
        },
        "analyzer": {
            TEXT_ANALYZER: {"type": "custom", "tokenizer": "standard",
                            "filter": ["cjk_width", "lowercase", "huoli_bigram_index"]},
            SEARCH_ANALYZER: {"type": "custom", "tokenizer": "standard",
                              "filter": ["cjk_width", "lowercase", "huoli_bigram_search"]},
        },
    }


def index_body(plugin, *, loading=False):
    """Settings and mappings for a new concrete index (``loading``: no refresh, no replicas)."""
    index_settings = {
        "number_of_shards": settings.ELASTICSEARCH_SHARDS,
        "number_of_replicas": 0 if loading else settings.ELASTICSEARCH_REPLICAS,
        "analysis": analysis_settings(plugin),
    }
    if loading:
        index_settings["refresh_interval"] = "-1"
    return {"settings": index_settings, "mappings": PostDocument._doc_type.mapping.to_dict()}


def make_client():
    hosts = getattr(settings, "ELASTICSEARCH_HOSTS", None) or settings.ELASTICSEARCH_URL
    return Elasticsearch(hosts, **getattr(settings, "ELASTICSEARCH_CLIENT_OPTIONS", {}))


def _day_start(day):
    return datetime.datetime.combine(day, datetime.time.min, timezone.get_current_timezone())


def visibility_filters(visibility):
    filters = []
    if visibility.category_ids is not None:
        filters.append(Q("terms", category_id=sorted(visibility.category_ids)))
    if not visibility.include_hidden:
        filters.append(Q("term", is_visible=True))
    return filters


def build_search(params, visibility, *, using=None, index=None):
    """The Search for a page of results: testable with ``.to_dict()`` without a server."""
    s = Search(using=using, index=index)
    filters = visibility_filters(visibility)
    if params.category_id:
        filters.append(Q("term", category_id=params.category_id))
    if params.tag:
        filters.append(Q("term", tag_slugs=params.tag))
    if params.author:
        filters.append(Q("term", author_username=params.author))
    if params.date_from or params.date_to:
        bounds = {}
        if params.date_from:
            bounds["gte"] = _day_start(params.date_from).isoformat()
        if params.date_to:
            bounds["lt"] = _day_start(params.date_to + datetime.timedelta(days=1)).isoformat()
        filters.append(Q("range", created_at=bounds))
    if params.featured:
        filters.append(Q("term", featured=True))

    cleaned = " ".join(text.query_words(params.q))
    operator = "or" if params.match_any else "and"
    if cleaned:
        must = [Q("bool", should=[
            # cross_fields: with "and", every word must appear in the title or the body (per analyzer group)
            Q("multi_match", query=cleaned, fields=TEXT_FIELDS, type="cross_fields", operator=operator),
            Q("multi_match", query=cleaned, fields=SUGGEST_FIELDS, type="bool_prefix", operator=operator),
        ], minimum_should_match=1)]
    else:
        must = [Q("match_all")]
    s = s.query(Q("bool", must=must, filter=filters))

    if params.sort == "votes":
        s = s.sort({"votes": "desc"}, "_score", {"created_at": "desc"})
    elif params.sort == "newest" or not cleaned:
        s = s.sort({"created_at": "desc"}, {"object_id": "desc"})
    else:
        s = s.sort("_score", {"created_at": "desc"})

    s = s.highlight_options(encoder="html", pre_tags=["<mark>"], post_tags=["</mark>"],
                            fragment_size=text.SNIPPET_CHARS, number_of_fragments=1)
    s = s.highlight("title", number_of_fragments=0).highlight("title.english", number_of_fragments=0)
    s = s.highlight("body", no_match_size=text.SNIPPET_CHARS).highlight("body.english")
    if params.facets:
        s.aggs.bucket("category", "terms", field="category_id", size=FACET_SIZE)
        s.aggs.bucket("tag", "terms", field="tag_slugs", size=FACET_SIZE)
        s.aggs.bucket("author", "terms", field="author_username", size=FACET_SIZE)
    if cleaned:
        s = s.suggest("spelling", cleaned, term={"field": "body", "suggest_mode": "popular"})
    s = s.extra(track_total_hits=True)
    return s[params.offset:params.offset + params.per_page]


def build_suggest(q, visibility, *, limit=8, using=None, index=None):
    cleaned = " ".join(text.query_words(q))
    s = Search(using=using, index=index).query(Q("bool", must=[
        Q("multi_match", query=cleaned, fields=SUGGEST_FIELDS, type="bool_prefix", operator="and"),
    ], filter=[Q("term", post_number=1), *visibility_filters(visibility)]))
    s = s.source(["topic_id", "topic_title", "url"])
    s = s.highlight_options(encoder="html", pre_tags=["<mark>"], post_tags=["</mark>"])
    s = s.highlight("title.suggest", number_of_fragments=0)
    return s[:limit]


def first_fragment(highlight, *names):
    for name in names:
        fragments = highlight.get(name) if highlight else None
        if fragments:
            fragment = fragments[0]
            if "<mark>" in fragment or name == names[-1]:
                return text.sanitize_highlight(fragment)
    return None


class ElasticsearchSearchBackend(BaseSearchBackend):
    name = "elasticsearch"

    def __init__(self, client=None):
        self.client = client or make_client()
        self.alias = f"{settings.ELASTICSEARCH_INDEX_PREFIX}-posts"
        self._alias_ready = False

    # --- cluster and index management -------------------------------------------------------
    def detect_plugin(self):
        """'ik', 'smartcn' or 'cjk': the setting, or when it says 'auto', the cluster's plugins."""
        choice = settings.ELASTICSEARCH_CJK_ANALYZER
        if choice != "auto":
            return choice
        components = {row.get("component") for row in self.client.cat.plugins(format="json")}
        if "analysis-ik" in components:
            return "ik"
        if "analysis-smartcn" in components:
            return "smartcn"
        return "cjk"

    def new_index_name(self):
        return f"{self.alias}-{timezone.now().strftime('%Y%m%d%H%M%S%f')}"

    def _aliased_indices(self):
        try:
            return sorted(self.client.indices.get_alias(name=self.alias).body)
        except NotFoundError:
            return []

    def ensure_index(self):
        """Create the first index and its alias if there is none (later: rebuild swaps)."""
        if self._alias_ready:
            return
        if not self.client.indices.exists_alias(name=self.alias):
            name = self.new_index_name()
            self.client.indices.create(index=name, body=index_body(self.detect_plugin()))
            self.client.indices.update_aliases(actions=[{"add": {"index": name, "alias": self.alias}}])
        self._alias_ready = True

    def refresh(self):
        self.client.indices.refresh(index=self.alias)

    # --- writing ----------------------------------------------------------------------------
    def _actions(self, documents, index):
        for doc in documents:
            yield PostDocument.from_search_document(doc, index).to_dict(include_meta=True)

    def index(self, documents):
        documents = list(documents)
        if not documents:
            return 0
        self.ensure_index()
        ok, _errors = helpers.bulk(self.client, self._actions(documents, self.alias), chunk_size=BULK_CHUNK)
        return ok

    def delete(self, object_type, object_ids):
        object_ids = list(object_ids)
        if not object_ids:
            return 0
        self.ensure_index()
        actions = ({"_op_type": "delete", "_index": self.alias, "_id": f"{object_type}:{pk}"} for pk in object_ids)
        ok, _errors = helpers.bulk(self.client, actions, chunk_size=BULK_CHUNK, ignore_status=(404,))
        return ok

    def clear(self):
        for name in self._aliased_indices():
            self.client.indices.delete(index=name)
        self._alias_ready = False

    def rebuild(self, definitions, *, progress=None, chunk_size=None, workers=None):
        """Zero downtime: load a new index, then move the alias to it in one atomic request.
        (``workers`` is for the database backend: the cluster analyses the text itself.)"""
        plugin = self.detect_plugin()
        new = self.new_index_name()
        old = self._aliased_indices()
        self.client.indices.create(index=new, body=index_body(plugin, loading=True))
        total = sum(d.count() for d in definitions)
        done = 0
        if progress:
            progress(0, total)
        for definition in definitions:
            for docs in definition.iter_documents(chunk_size=chunk_size):
                ok, _errors = helpers.bulk(self.client, self._actions(docs, new), chunk_size=BULK_CHUNK)
                done += ok
                if progress:
                    progress(done, total)
        self.client.indices.put_settings(index=new, settings={
            "index": {"refresh_interval": "1s", "number_of_replicas": settings.ELASTICSEARCH_REPLICAS}})
        self.client.indices.refresh(index=new)
        actions = [{"remove": {"index": name, "alias": self.alias}} for name in old]
        if not old and self.client.indices.exists(index=self.alias):
            # a concrete index squatting on the alias name (auto-created by a stray write)
            actions.append({"remove_index": {"index": self.alias}})
        actions.append({"add": {"index": new, "alias": self.alias}})
        self.client.indices.update_aliases(actions=actions)
        for name in old:
            self.client.indices.delete(index=name)
        self._alias_ready = True
        return done

    # --- reading ----------------------------------------------------------------------------
    def search(self, params, visibility):
        terms = text.query_terms(params.q)
        results = SearchResults(hits=[], total=0, params=params, terms=terms)
        if not terms and not params.has_filters:
            return results
        self.ensure_index()
        response = build_search(params, visibility, using=self.client, index=self.alias).execute()
        results.total = response.hits.total.value
        chunks = text.query_chunks(params.q)
        for hit in response.hits:
            src = hit.to_dict()
            hl = hit.meta.to_dict().get("highlight", {})
            title = src.get("topic_title") or ""
            body = src.get("body") or ""
            results.hits.append(SearchHit(
                object_type=src["object_type"], object_id=src["object_id"], topic_id=src["topic_id"],
                post_number=src["post_number"], category_id=src["category_id"],
                author_username=src.get("author_username", ""), author_name=src.get("author_name", ""),
                title=title, url=src.get("url", ""), created_at=_parse_date(src.get("created_at")),
                votes=src.get("votes", 0), featured=bool(src.get("featured")),
                title_html=first_fragment(hl, "title", "title.english")
                or text.highlight(title, terms, chunks=chunks, whole=True),
                snippet_html=first_fragment(hl, "body", "body.english")
                or text.highlight(body, terms, chunks=chunks),
                score=float(hit.meta.score or 0.0), is_visible=bool(src.get("is_visible", True)),
            ))
        aggs = response.aggregations.to_dict() if params.facets and "aggregations" in response else {}
        for name in ("category", "tag", "author"):
            if name in aggs:
                results.facets[name] = [(b["key"], b["doc_count"]) for b in aggs[name]["buckets"]]
        if not results.total and "suggest" in response:
            results.spelling = _spelling(" ".join(text.query_words(params.q)), response.suggest.to_dict().get("spelling", []))
        return results

    def suggest(self, q, visibility, *, limit=8):
        if not text.query_words(q):
            return []
        self.ensure_index()
        response = build_suggest(q, visibility, limit=limit, using=self.client, index=self.alias).execute()
        terms, chunks = text.query_terms(q), text.query_chunks(q)
        out = []
        for hit in response.hits:
            src = hit.to_dict()
            hl = hit.meta.to_dict().get("highlight", {})
            title = src.get("topic_title", "")
            out.append(Suggestion(
                topic_id=src["topic_id"], title=title, url=src.get("url", ""),
                title_html=first_fragment(hl, "title.suggest") or text.highlight(title, terms, chunks=chunks, whole=True),
            ))
        return out


def _parse_date(value):
    if isinstance(value, datetime.datetime):
        return value
    if not value:
        return None
    return datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _spelling(cleaned, entries):
    """The query with each misspelt word replaced by the term suggester's best option."""
    corrected = cleaned
    changed = False
    for entry in sorted(entries, key=lambda e: -e.get("offset", 0)):
        options = entry.get("options") or []
        if not options:
            continue
        start, length = entry["offset"], entry["length"]
        corrected = corrected[:start] + options[0]["text"] + corrected[start + length:]
        changed = True
    return [corrected] if changed and corrected != cleaned else []

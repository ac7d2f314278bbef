"""A recording transport for the Elasticsearch client, so the real client, ``Search.execute()``
and ``helpers.bulk()`` run without a server.

``RecordingNode`` is passed as ``node_class=``: every request is recorded (method, path, query
string, decoded body) in ``RecordingNode.requests`` and answered by ``FakeCluster``, a small
in-memory stand-in that understands the requests this project sends (index creation, aliases,
bulk, refresh, search with bool/term/terms/range/multi_match, sort, from/size, terms aggregations,
highlight) and answers in Elasticsearch's response format. Its analysis imitates the analyzers of
search.backends.elasticsearch (CJK bigrams, English stemming, search_as_you_type prefixes).

It is a test double: it checks that the backend sends sensible requests and reads real-shaped
responses. Relevance and analysis fidelity are only proven against a real cluster
(ELASTICSEARCH_URL); see test_elasticsearch.py.
"""

import datetime
import json
import re
from urllib.parse import parse_qs, unquote, urlsplit

from elastic_transport import ApiResponseMeta, BaseNode, HttpHeaders
from elastic_transport._node._base import NodeApiResponse  # noqa: PLC2701  (the transport exports no public name for it)

from search import text

CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
LATIN = re.compile(r"[^\W_]+")
ENGLISH_STOP = {"a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
                "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
                "they", "this", "to", "was", "will", "with"}


def _cjk_tokens(value, *, unigrams):
    tokens = []
    for run in CJK_RUN.findall(value):
        if len(run) == 1:
            tokens.append(run)
            continue
        tokens.extend(run[i:i + 2] for i in range(len(run) - 1))
        if unigrams:
            tokens.extend(run)
    stripped = CJK_RUN.sub(" ", value)
    tokens.extend(t.lower() for t in LATIN.findall(stripped))
    return tokens


def analyze(field, value, *, search=False):
    """Tokens of ``value`` for a field of PostDocument's mapping."""
    if value is None:
        return []
    value = str(value)
    if field.endswith(".english"):
        out = [c for run in CJK_RUN.findall(value) for c in run]
        for word in LATIN.findall(CJK_RUN.sub(" ", value).lower()):
            if word not in ENGLISH_STOP:
                out.append(text._stem(word) if word.isascii() and word[0].isalpha() else word)
        return out
    if ".suggest" in field:
        return _cjk_tokens(value, unigrams=False)
    return _cjk_tokens(value, unigrams=not search)


class FakeCluster:
    def __init__(self, plugins=()):
        self.indices = {}  # name -> {"body": dict, "docs": {id: source}, "settings": dict}
        self.aliases = {}  # alias -> set of index names
        self.plugins = list(plugins)

    # --- helpers -----------------------------------------------------------------------------
    def resolve(self, name):
        if name in self.aliases:
            return sorted(self.aliases[name])
        if name in self.indices:
            return [name]
        return []

    def docs(self, name):
        for index in self.resolve(name):
            for doc_id, source in self.indices[index]["docs"].items():
                yield index, doc_id, source

    # --- request routing ---------------------------------------------------------------------
    def handle(self, method, path, query, body):
        parts = [unquote(p) for p in path.strip("/").split("/") if p]
        if parts[:2] == ["_cat", "plugins"]:
            return 200, [{"name": "node-1", "component": p, "version": "9.1.0"} for p in self.plugins]
        if parts == ["_aliases"] and method == "POST":
            return self.update_aliases(body["actions"])
        if parts and parts[0] == "_alias":
            name = parts[1]
            if name not in self.aliases:
                return 404, {"error": f"alias [{name}] missing", "status": 404}
            return 200, {index: {"aliases": {name: {}}} for index in self.aliases[name]}
        if parts and parts[-1] == "_bulk":
            return self.bulk(body, default_index=parts[0] if len(parts) == 2 else None)
        if len(parts) == 2 and parts[1] == "_search":
            return self.search(parts[0], body or {})
        if len(parts) == 2 and parts[1] == "_refresh":
            return 200, {"_shards": {"total": 1, "successful": 1, "failed": 0}}
        if len(parts) == 2 and parts[1] == "_settings" and method == "PUT":
            for index in self.resolve(parts[0]):
                self.indices[index]["settings"].update(body.get("index", body))
            return 200, {"acknowledged": True}
        if len(parts) == 1:
            name = parts[0]
            if method == "HEAD":
                return (200 if self.resolve(name) else 404), None
            if method == "PUT":
                if name in self.indices or name in self.aliases:
                    return 400, {"error": {"type": "resource_already_exists_exception"}, "status": 400}
                self.indices[name] = {"body": body, "docs": {}, "settings": dict(body.get("settings", {}))}
                return 200, {"acknowledged": True, "shards_acknowledged": True, "index": name}
            if method == "DELETE":
                if name not in self.indices:
                    return 404, {"error": {"type": "index_not_found_exception"}, "status": 404}
                del self.indices[name]
                for members in self.aliases.values():
                    members.discard(name)
                return 200, {"acknowledged": True}
        return 400, {"error": {"type": "unsupported_by_fake", "reason": f"{method} {path}"}, "status": 400}

    def update_aliases(self, actions):
        for action in actions:
            (kind, args), = action.items()
            if kind == "add":
                if args["index"] not in self.indices:
                    return 404, {"error": {"type": "index_not_found_exception"}, "status": 404}
                self.aliases.setdefault(args["alias"], set()).add(args["index"])
            elif kind == "remove":
                self.aliases.get(args["alias"], set()).discard(args["index"])
            elif kind == "remove_index":
                self.indices.pop(args["index"], None)
        self.aliases = {k: v for k, v in self.aliases.items() if v}
        return 200, {"acknowledged": True}

    def bulk(self, lines, default_index=None):
        items = []
        i = 0
        while i < len(lines):
            (op, meta), = lines[i].items()
            index_names = self.resolve(meta.get("_index", default_index))
            if len(index_names) != 1:
                items.append({op: {"_index": meta.get("_index"), "_id": meta.get("_id"), "status": 404,
                                   "error": {"type": "index_not_found_exception"}}})
                i += 1 if op == "delete" else 2
                continue
            index = self.indices[index_names[0]]
            if op == "delete":
                found = index["docs"].pop(meta["_id"], None) is not None
                items.append({"delete": {"_index": index_names[0], "_id": meta["_id"], "status": 200 if found else 404,
                                         "result": "deleted" if found else "not_found"}})
                i += 1
            else:
                source = lines[i + 1]
                created = meta["_id"] not in index["docs"]
                index["docs"][meta["_id"]] = source
                items.append({op: {"_index": index_names[0], "_id": meta["_id"], "status": 201 if created else 200,
                                   "result": "created" if created else "updated"}})
                i += 2
        errors = any(not 200 <= list(item.values())[0]["status"] < 300 for item in items)
        return 200, {"took": 1, "errors": errors, "items": items}

    # --- search ------------------------------------------------------------------------------
    def matches(self, query, source):
        """(matched, score) of one document for a query clause."""
        (kind, args), = query.items()
        if kind == "match_all":
            return True, 1.0
        if kind == "bool":
            score = 0.0
            for clause in args.get("must", []):
                ok, s = self.matches(clause, source)
                if not ok:
                    return False, 0.0
                score += s
            for clause in args.get("filter", []):
                if not self.matches(clause, source)[0]:
                    return False, 0.0
            should = [self.matches(c, source) for c in args.get("should", [])]
            hits = [s for ok, s in should if ok]
            need = args.get("minimum_should_match", 0 if (args.get("must") or args.get("filter")) else 1)
            if should and len(hits) < int(need):
                return False, 0.0
            return True, score + sum(hits)
        if kind == "term":
            (field, value), = args.items()
            value = value["value"] if isinstance(value, dict) else value
            have = source.get(field)
            return (value in have if isinstance(have, list) else have == value), 0.0
        if kind == "terms":
            (field, values), = args.items()
            have = source.get(field)
            have = have if isinstance(have, list) else [have]
            return any(v in values for v in have), 0.0
        if kind == "range":
            (field, bounds), = args.items()
            have = _when(source.get(field))
            if have is None:
                return False, 0.0
            checks = {"gte": lambda b: have >= b, "gt": lambda b: have > b, "lte": lambda b: have <= b,
                      "lt": lambda b: have < b}
            return all(checks[k](_when(v)) for k, v in bounds.items()), 0.0
        if kind == "multi_match":
            return self.multi_match(args, source)
        raise AssertionError(f"query clause the fake does not know: {kind}")

    def multi_match(self, args, source):
        if args.get("type") == "cross_fields":
            return self.cross_fields(args, source)
        best = 0.0
        operator = args.get("operator", "or").lower()
        for spec in args["fields"]:
            field, _sep, boost = spec.partition("^")
            value = source.get(field.split(".")[0])
            doc_tokens = analyze(field, value)
            if not doc_tokens:
                continue
            if args.get("type") == "bool_prefix":
                q_tokens = analyze(field, args["query"], search=True)
                if not q_tokens:
                    continue
                head, last = q_tokens[:-1], q_tokens[-1]
                found = [t in doc_tokens for t in head] + [any(d.startswith(last) for d in doc_tokens)]
            else:
                q_tokens = analyze(field, args["query"], search=True)
                if not q_tokens:
                    continue
                found = [t in doc_tokens for t in q_tokens]
            ok = all(found) if operator == "and" else any(found)
            if ok:
                best = max(best, float(boost or 1) * sum(found) / (1 + len(doc_tokens) / 50))
        return best > 0, best

    def cross_fields(self, args, source):
        """Fields grouped by analyzer; in a group each word may come from any of its fields."""
        operator = args.get("operator", "or").lower()
        groups = {}
        for spec in args["fields"]:
            field, _sep, boost = spec.partition("^")
            groups.setdefault(field.endswith(".english"), []).append((field, float(boost or 1)))
        best = 0.0
        for fields in groups.values():
            q_tokens = analyze(fields[0][0], args["query"], search=True)
            if not q_tokens:
                continue
            per_field = [(analyze(f, source.get(f.split(".")[0])), b) for f, b in fields]
            found = [any(t in tokens for tokens, _b in per_field) for t in q_tokens]
            if all(found) if operator == "and" else any(found):
                score = sum(b * sum(t in tokens for t in q_tokens) / (1 + len(tokens) / 50)
                            for tokens, b in per_field)
                best = max(best, score)
        return best > 0, best

    def search(self, name, body):
        query = body.get("query", {"match_all": {}})
        matched = []
        for index, doc_id, source in self.docs(name):
            ok, score = self.matches(query, source)
            if ok:
                matched.append({"_index": index, "_id": doc_id, "_score": score, "_source": source})
        for spec in reversed(body.get("sort", [])):
            if spec == "_score":
                matched.sort(key=lambda h: h["_score"], reverse=True)
                continue
            (field, order), = spec.items()
            order = order["order"] if isinstance(order, dict) else order
            matched.sort(key=lambda h, f=field: _sort_key(h["_source"].get(f)), reverse=order == "desc")
        if not body.get("sort"):
            matched.sort(key=lambda h: h["_score"], reverse=True)
        start, size = body.get("from", 0), body.get("size", 10)
        page = matched[start:start + size]
        words = _query_text(query)
        for hit in page:
            if "highlight" in body:
                hit["highlight"] = self.highlight(body["highlight"], hit["_source"], words)
            if "_source" in body:
                hit["_source"] = {k: v for k, v in hit["_source"].items() if k in body["_source"]}
        response = {
            "took": 2, "timed_out": False, "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
            "hits": {"total": {"value": len(matched), "relation": "eq"},
                     "max_score": max((h["_score"] for h in matched), default=None), "hits": page},
        }
        if body.get("aggs"):
            response["aggregations"] = {}
            for agg_name, agg in body["aggs"].items():
                field, size = agg["terms"]["field"], agg["terms"].get("size", 10)
                counts = {}
                for hit in matched:
                    values = hit["_source"].get(field)
                    for v in values if isinstance(values, list) else [values]:
                        if v is not None:
                            counts[v] = counts.get(v, 0) + 1
                buckets = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))[:size]
                response["aggregations"][agg_name] = {
                    "doc_count_error_upper_bound": 0, "sum_other_doc_count": max(0, len(counts) - size),
                    "buckets": [{"key": k, "doc_count": n} for k, n in buckets]}
        if body.get("suggest"):
            response["suggest"] = {}
            for sname, spec in body["suggest"].items():
                response["suggest"][sname] = [
                    {"text": m.group(0), "offset": m.start(), "length": len(m.group(0)), "options": []}
                    for m in LATIN.finditer(spec.get("text", ""))]
        return 200, response

    def highlight(self, spec, source, words):
        out = {}
        for field, options in spec["fields"].items():
            value = source.get(field.split(".")[0])
            if not value:
                continue
            whole = options.get("number_of_fragments", spec.get("number_of_fragments", 5)) == 0
            marked = text.highlight(value, text.query_terms(words), chunks=text.query_chunks(words), whole=whole,
                                    length=spec.get("fragment_size", 100))
            if "<mark>" in marked:
                out[field] = [marked]
            elif options.get("no_match_size"):
                out[field] = [text.highlight(value, [], length=options["no_match_size"])]
        return out


def _query_text(query):
    if isinstance(query, dict):
        if "multi_match" in query:
            return query["multi_match"]["query"]
        for value in query.values():
            found = _query_text(value)
            if found:
                return found
    if isinstance(query, list):
        for value in query:
            found = _query_text(value)
            if found:
                return found
    return ""


def _when(value):
    if value is None:
        return None
    return datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _sort_key(value):
    if value is None:
        return (0, "")
    if isinstance(value, str) and re.match(r"\d{4}-\d\d-\d\dT", value):
        return (1, _when(value).timestamp())
    return (1, value)


class RecordingNode(BaseNode):
    """node_class= for the client. ``cluster`` and ``requests`` are class attributes: a test
    fixture resets them (see test_elasticsearch.py)."""

    _CLIENT_META_HTTP_CLIENT = ("rec", "1.0")
    cluster = FakeCluster()
    requests = []

    def perform_request(self, method, target, body=None, headers=None, request_timeout=None):
        url = urlsplit(target)
        raw = body.decode() if body else ""
        if "_bulk" in url.path:
            decoded = [json.loads(line) for line in raw.splitlines() if line.strip()]
        else:
            decoded = json.loads(raw) if raw else None
        record = {"method": method, "path": url.path, "params": parse_qs(url.query), "body": decoded,
                  "headers": dict(headers or {})}
        type(self).requests.append(record)
        status, payload = type(self).cluster.handle(method, url.path, record["params"], decoded)
        response_headers = HttpHeaders({"x-elastic-product": "Elasticsearch",
                                        "content-type": "application/vnd.elasticsearch+json;compatible-with=9"})
        meta = ApiResponseMeta(status=status, http_version="1.1", headers=response_headers, duration=0.001,
                               node=self.config)
        data = b"" if payload is None or method == "HEAD" else json.dumps(payload, default=str).encode()
        return NodeApiResponse(meta, data)

    @classmethod
    def reset(cls, *, plugins=()):
        cls.cluster = FakeCluster(plugins=plugins)
        cls.requests = []

    @classmethod
    def find(cls, method=None, path_contains=""):
        return [r for r in cls.requests if (method is None or r["method"] == method) and path_contains in r["path"]]

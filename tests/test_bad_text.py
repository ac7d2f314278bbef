"""NUL bytes, lone surrogates and control characters are refused with a clear 400, never a 500.

The cases are generated, not listed by hand: every route of the URL conf (each str/slug/path
parameter becomes "a%00b", the query string and a form field get a NUL), and every operation of
the OpenAPI schema (each string parameter, and each string field of the JSON body, at any depth,
gets "\\u0000" or "\\ud800"). A route or operation added later is covered without touching this file."""

import json
import re
import uuid

import pytest
from django.test import Client
from django.urls import get_resolver
from django.urls.resolvers import RoutePattern, URLResolver

from config.api import api
from forum.lib.badtext import bad_text_reason
from tests.factories import CategoryFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
BAD_IN_PATH = "a%00b"


def _routes(resolver=None, prefix="", regex=False):
    """(route string, contains a regex part) for every URL pattern, resolvers flattened."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        part_regex = regex or not isinstance(pattern.pattern, RoutePattern)
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, route, part_regex)
        else:
            yield route, part_regex


def _fill(route, text_value):
    def value(match):
        conv = match.group("conv") or "str"
        if conv == "int":
            return "1"
        if conv == "uuid":
            return str(uuid.uuid4())
        return text_value

    return "/" + PARAM.sub(value, route)


ROUTES = [route for route, regex in _routes() if not regex]
TEXT_ROUTES = [route for route in ROUTES if any((m.group("conv") or "str") not in ("int", "uuid")
                                                for m in PARAM.finditer(route))]


def _assert_refused(response, url):
    assert response.status_code == 400, (url, response.status_code)
    if url.startswith("/api/"):
        error = response.json()["error"]
        assert error["code"] == "invalid_text", url
        assert "not valid text" in error["message"], url
    else:
        assert "not valid text" in response.content.decode(), url


def test_the_url_conf_was_walked():
    # the generator found the forum's, engagement's and the API's routes (a broken walk would pass vacuously)
    assert len(ROUTES) > 200 and len(TEXT_ROUTES) > 20
    assert "u/<str:username>/" in ROUTES and "c/<str:slug>/" in ROUTES
    assert any(r.startswith("api/v1/") and "<" in r for r in TEXT_ROUTES + ROUTES)


@pytest.fixture
def member_client(client):
    client.force_login(UserFactory())
    client.cookies["django_language"] = "en"
    return client


def test_nul_in_every_text_path_parameter(client, member_client):
    for route in TEXT_ROUTES:
        url = _fill(route, BAD_IN_PATH)
        _assert_refused(client.get(url), url)  # a guest
        _assert_refused(member_client.get(url), url)  # a member


def test_nul_and_control_characters_in_the_query_string_of_every_route(member_client):
    for route in ROUTES:
        url = _fill(route, "general")
        for bad in ("tag=a%00b", "q=%01", "a%00=1"):
            _assert_refused(member_client.get(f"{url}?{bad}"), url)


def test_nul_in_a_form_field_of_every_route(member_client):
    for route in ROUTES:
        url = _fill(route, "general")
        _assert_refused(member_client.post(url, {"body": "正文\x00内容", "title": "ok"}), url)


def test_the_message_says_what_is_wrong_and_the_page_does_not_echo_it(client):
    client.cookies["django_language"] = "en"
    response = client.get("/c/general/?tag=a%00b")
    page = response.content.decode()
    assert response.status_code == 400
    assert "The query parameter tag is not valid text: it contains a NUL character" in page
    assert "\x00" not in page
    api = client.get("/api/v1/categories/general/topics?tag=%00").json()
    assert api == {"error": {"code": "invalid_text", "field": "tag",
                             "message": "The query parameter tag is not valid text: it contains a NUL "
                                        "character (\\0). Remove it and try again."}}


def test_good_text_passes():
    assert bad_text_reason("社区运营\t第一行\n第二行\r\n😀") is None
    topic = TopicFactory.create(category=CategoryFactory(slug="general"), tags=["运营"])
    response = Client().get("/c/general/?tag=运营")
    assert response.status_code == 200
    assert topic.title in response.content.decode()


# --- generated from the OpenAPI schema ---------------------------------------------------------
SCHEMA = api.get_openapi_schema()


def _deref(node):
    while "$ref" in node:
        node = SCHEMA["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    if "allOf" in node and len(node["allOf"]) == 1:
        return _deref(node["allOf"][0])
    return node


def _sample(node, bad, paths, path=""):
    """A body that fits the schema, with `bad` in every string; records the string fields' paths."""
    node = _deref(node)
    for key in ("anyOf", "oneOf"):
        if key in node:
            options = [o for o in node[key] if _deref(o).get("type") != "null"]
            return _sample(options[0], bad, paths, path)
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        return {name: _sample(prop, bad, paths, f"{path}.{name}" if path else name)
                for name, prop in node.get("properties", {}).items()}
    if kind == "array":
        return [_sample(node.get("items", {}), bad, paths, f"{path}.0")]
    if kind == "string":
        paths.append(path)
        return bad
    if kind == "integer":
        return max(node.get("minimum", 1), 1)
    if kind == "number":
        return 1
    if kind == "boolean":
        return True
    return None


def _operations():
    for route, item in SCHEMA["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield route, method, op


def _api_path(route, op, text):
    params = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "path"}

    def value(match):
        schema = _deref(params.get(match.group(1), {}).get("schema", {}))
        return text if schema.get("type") == "string" else "1"

    return re.sub(r"{(\w+)}", value, route)


BODY_OPS = [(r, m, o) for r, m, o in _operations()
            if "application/json" in o.get("requestBody", {}).get("content", {})]


def test_the_schema_was_walked():
    assert len(list(_operations())) > 30
    assert len(BODY_OPS) > 10


@pytest.mark.parametrize("bad", ["a\u0000b", "a\ud800b", "\udfff"])
def test_bad_text_in_every_json_string_field(member_client, bad):
    checked = 0
    for route, method, op in BODY_OPS:
        schema = op["requestBody"]["content"]["application/json"]["schema"]
        fields = []
        body = _sample(schema, bad, fields)
        if not fields:
            continue
        url = _api_path(route, op, "general")
        response = getattr(member_client, method)(url, data=json.dumps(body), content_type="application/json")
        assert response.status_code == 400, (method, url, response.status_code, response.content[:300])
        error = response.json()["error"]
        assert error["code"] == "invalid_text" and error["field"] in fields, (url, error)
        checked += 1
    assert checked >= 8  # titles, bodies, report messages, reasons, ...


def test_bad_text_in_every_string_parameter_of_the_api(client):
    checked = 0
    for route, method, op in _operations():
        for param in op.get("parameters", []):
            if _deref(param.get("schema", {})).get("type") != "string":
                continue
            if param["in"] == "path":
                url = _api_path(route, op, BAD_IN_PATH)
            elif param["in"] == "query":
                url = f"{_api_path(route, op, 'general')}?{param['name']}=a%00b"
            else:
                continue
            response = getattr(client, method)(url)
            assert response.status_code == 400, (method, url, response.status_code)
            assert response.json()["error"]["code"] == "invalid_text"
            checked += 1
    assert checked >= 5

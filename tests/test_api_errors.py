"""Every /api/ error is the JSON envelope {"error": {"code", "message", "field"}}, whoever answers:
ninja's operations, Django's URL resolver (404), ninja's method check (405), the body size limit
(413), the rate limits (429), an unhandled exception (500) and Django's own 400s."""

import pytest
from django.test import Client

from forum import selectors
from tests.factories import CategoryFactory, TopicFactory

pytestmark = pytest.mark.django_db


def envelope(response, status, code):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "field"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


@pytest.fixture
def client(client):
    client.cookies["django_language"] = "en"
    return client


def test_unknown_api_address_is_a_json_404(client):
    error = envelope(client.get("/api/v1/no-such-thing"), 404, "not_found")
    assert error["message"] == "Not found."
    envelope(client.get("/api/v2/"), 404, "not_found")
    # outside /api/ the site's HTML page stays
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_missing_object_is_a_json_404(client):
    envelope(client.get("/api/v1/topics/999999"), 404, "not_found")


def test_wrong_method_is_a_json_405_that_keeps_allow(client):
    response = client.delete("/api/v1/categories")
    error = envelope(response, 405, "method_not_allowed")
    assert error["message"] == "This method is not allowed here."
    assert "GET" in response["Allow"]


def test_body_over_the_limit_is_a_json_413(client, member, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(member)
    category = CategoryFactory()
    response = client.post("/api/v1/topics", {"category": category.pk, "title": "长", "body": "字" * 2000},
                           content_type="application/json")
    envelope(response, 413, "too_large")


def test_rate_limit_is_a_json_429_with_retry_after(client, member, settings):
    settings.HUOLI = {**settings.HUOLI, "RATE_LIMITS": {**settings.HUOLI["RATE_LIMITS"], "post": (1, 3600)}}
    topic = TopicFactory.create()
    client.force_login(member)
    url = f"/api/v1/topics/{topic.pk}/posts"
    assert client.post(url, {"body": "第一条回复"}, content_type="application/json").status_code == 201
    response = client.post(url, {"body": "第二条回复"}, content_type="application/json")
    envelope(response, 429, "rate_limited")
    assert int(response["Retry-After"]) > 0


def test_unhandled_exception_is_a_json_500_without_a_traceback(monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database exploded: secret detail")

    monkeypatch.setattr(selectors, "category_list", broken)
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = "en"
    response = client.get("/api/v1/categories")
    error = envelope(response, 500, "server_error")
    assert "secret detail" not in response.content.decode() and "Traceback" not in response.content.decode()
    assert error["message"].startswith("Something went wrong on our side")


def test_bad_json_is_a_json_400(client, member):
    client.force_login(member)
    envelope(client.post("/api/v1/topics", "{not json", content_type="application/json"), 400, "bad_request")


def test_django_level_400_is_the_envelope_too(client):
    # a Host header that is not allowed: Django answers 400 before any view
    error = envelope(client.get("/api/v1/categories", HTTP_HOST="evil.example"), 400, "bad_request")
    assert error["message"] == "The request could not be understood."

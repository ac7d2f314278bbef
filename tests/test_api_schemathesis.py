"""Schemathesis against the OpenAPI document, in process (WSGI, no server): a bounded number of
generated requests per operation, as a signed-in member (API token) against a seeded database. No
response may be a 5xx, and every response must match the documented status codes, content type and
schema. Bounded (settings.max_examples) so that it runs in CI in well under two minutes."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application

MAX_EXAMPLES = 8

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """Calling the WSGI app directly sends request_started/finished, whose close_old_connections
    would close the test transaction's connection (Django's test Client disconnects it the same way)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(db, settings):
    """A category with a topic and replies, a second member, a report, and the caller's token."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from forum import tokens
    from forum.moderation import reports
    from tests.factories import CategoryFactory, TopicFactory, UserFactory

    member = UserFactory(username="schemathesis")
    category = CategoryFactory(slug="general")
    topic = TopicFactory.create(category=category, title="A seeded topic for the API", tags=["seed"])
    from forum import services

    for i in range(3):
        services.post_create(actor=UserFactory(), topic=topic, body=f"seeded reply {i}")
    reports.report_create(actor=member, target=topic.posts.get(number=2), reason="spam")
    _token, secret = tokens.api_token_create(actor=member, name="schemathesis")
    return {"Authorization": f"Bearer {secret}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_api_conforms_to_its_schema(case, seeded):
    case.call_and_validate(headers=seeded, checks=CHECKS)

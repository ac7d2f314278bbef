"""HEAD is answered wherever GET is (require_safe, never require_GET): uptime monitors and load balancers
probe with HEAD and read a 405 as "down". Every URL pattern of the project's own apps is requested with
GET and then HEAD, as a staff member who moderates, with the arguments filled from a seeded topic; a
pattern whose GET is not refused (not 405) must answer HEAD with the same status and an empty body."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

PROJECT_APPS = ("forum", "engagement", "cms", "messaging", "search", "mailings", "audit", "config", "realtime")


def _patterns(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def _project_routes():
    routes = []
    for route, callback in _patterns(get_resolver()):
        module = getattr(callback, "__module__", "") or ""
        if module.split(".")[0] in PROJECT_APPS and not route.startswith("api/"):
            routes.append(route)
    return routes


def _fill(route, samples):
    def arg(match):
        return str(samples.get(match.group(2), samples["*"]))

    path = re.sub(r"<(?:(\w+):)?(\w+)>", arg, route)
    return "/" + path.lstrip("^").rstrip("$")


@pytest.fixture
def staff_client(db, django_user_model):
    from django.contrib.auth.models import Group

    from forum import services
    from tests.factories import CategoryFactory, TopicFactory, UserFactory

    staff = UserFactory(username="head_staff", is_staff=True, is_superuser=True)
    staff.groups.add(Group.objects.get(name="Moderators"))
    other = UserFactory(username="head_member")
    category = CategoryFactory(slug="head-category")
    topic = TopicFactory.create(author=other, category=category, title="HEAD 请求的话题", tags=["head"])
    post = services.post_create(actor=other, topic=topic, body="一条回复")
    client = Client(raise_request_exception=True)
    client.force_login(staff)
    samples = {"topic_id": topic.pk, "post_id": post.pk, "slug": category.slug, "username": other.username,
               "pk": topic.pk, "*": "sample"}
    return client, samples


@pytest.mark.django_db
def test_every_get_view_answers_head(staff_client):
    client, samples = staff_client
    routes = _project_routes()
    checked, wrong = [], []
    for route in routes:
        path = _fill(route, samples)
        get = client.get(path)
        if get.status_code == 405:
            continue  # a POST-only view
        head = client.head(path)
        checked.append(path)
        body = b"".join(head.streaming_content) if head.streaming else head.content
        if head.status_code != get.status_code or body:
            wrong.append(f"{path}: GET {get.status_code}, HEAD {head.status_code} ({len(body)} bytes)")
    assert not wrong, "\n".join(wrong)
    # the walk reached the pages (not a vacuous pass): the home page and the seeded topic among them
    assert "/" in checked and len(checked) > 40, checked


def test_no_view_uses_require_get():
    """require_GET refuses HEAD; require_safe allows GET and HEAD."""
    from pathlib import Path

    from django.conf import settings

    offenders = []
    for app in PROJECT_APPS:
        for path in Path(settings.BASE_DIR, app).rglob("*.py"):
            if "require_GET" in path.read_text(encoding="utf-8"):
                offenders.append(str(path.relative_to(settings.BASE_DIR)))
    assert offenders == []

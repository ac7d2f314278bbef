import json

import pytest
from django.contrib.auth.models import Group

from tests.factories import CategoryFactory, TopicFactory, UserFactory


@pytest.fixture
def editor(db):
    user = UserFactory(username="editor1")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def sections(db):
    from cms.services import sections_ensure

    return sections_ensure()


@pytest.fixture
def topic(member, category):
    return TopicFactory.create(author=member, category=category, title="如何发掘社区中的KOL用户")


@pytest.fixture
def private_category(db):
    group = Group.objects.create(name="Insiders")
    return CategoryFactory(read_group=group)


def publish_collection(parent, *, title="本周精选合集", slug="picks", body=()):
    from cms.models import CollectionPage

    page = CollectionPage(title=title, slug=slug, intro="编辑精选", body=json.dumps(list(body)))
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def topic_block(topic, note=""):
    return {"type": "topic", "value": {"topic": topic.pk, "note": note}}


def post_block(post, note=""):
    return {"type": "post", "value": {"post": post.pk, "note": note}}


@pytest.fixture(autouse=True)
def _english(settings):
    """The tests read English text (the source strings); zh-Hans is the site's default language."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield

"""Search finds a members-only group's topics for its members only."""

import pytest
from django.urls import reverse

from search import services
from search.backends.base import reset_backend
from tests.factories import TopicFactory, UserFactory, add_member, make_group

pytestmark = pytest.mark.django_db


def test_members_only_group_topics_in_search(client, settings):
    settings.SEARCH_BACKEND = "database"
    reset_backend()
    try:
        group = make_group(name="内部小组", slug="inner", visibility="members")
        insider = add_member(group, UserFactory())
        TopicFactory.create(author=insider, category=group.category, title="小组内部预算复盘", body="预算 budget")
        services.rebuild()
        client.force_login(UserFactory())
        assert "复盘" not in client.get(reverse("search:search"), {"q": "预算"}).content.decode()
        assert "复盘" not in client.get("/api/v1/search", {"q": "预算"}).content.decode()
        client.force_login(insider)
        assert "复盘" in client.get(reverse("search:search"), {"q": "预算"}).content.decode()
    finally:
        reset_backend()

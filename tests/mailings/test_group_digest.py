"""The weekly digest mail lists a members-only group's topics to its members only."""

import io

import pytest
from django.core.management import call_command

from tests.factories import TopicFactory, UserFactory, add_member, make_group

from .conftest import parts
from .test_digest_mail import digest  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def test_digest_hides_members_only_group_topics_from_outsiders(smtp, digest):  # noqa: F811
    group = make_group(name="内部小组", slug="inner", visibility="members")
    insider = add_member(group, UserFactory(username="insider"))
    UserFactory(username="reader")
    TopicFactory.create(author=insider, category=group.category, title="小组内部的周会纪要")
    call_command("mail_digest", "--no-progress", stdout=io.StringIO())
    assert "小组内部的周会纪要" not in parts(smtp.to("reader@example.com")[0])[0]
    assert "小组内部的周会纪要" in parts(smtp.to("insider@example.com")[0])[0]

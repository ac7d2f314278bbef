import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from engagement.points.models import PointsEntry
from engagement.points.selectors import accounts_out_of_balance


class Clock:
    """Moves django.utils.timezone.now (which every service reads) to a chosen instant."""

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch
        self.current = None

    def set(self, value):
        if isinstance(value, str):
            value = datetime.datetime.fromisoformat(value)
        if value.tzinfo is None:
            value = value.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
        self.current = value
        self.monkeypatch.setattr(timezone, "now", lambda: self.current)
        return value

    def advance(self, **kwargs):
        return self.set(self.current + datetime.timedelta(**kwargs))


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def staff(db):
    from tests.factories import UserFactory

    return UserFactory(is_staff=True)


@pytest.fixture
def ledger_consistent(db):
    """Asserts at the end of the test that every cached balance equals its ledger sum."""
    yield
    assert accounts_out_of_balance() == []


def entries(member, **filters):
    return list(PointsEntry.objects.filter(member=member, **filters).order_by("id"))


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Tests that sign in with a password need no slow hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def author(db):
    """A Lv2 member: the lowest level that may create polls by default."""
    from tests.engagement.activities import set_level
    from tests.factories import UserFactory

    user = UserFactory()
    set_level(user, 2)
    return user

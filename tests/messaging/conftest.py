import pytest
from django.conf import settings as django_settings

from engagement.levels.models import MemberLevel
from tests.factories import UserFactory
from tests.realtime.conftest import live_asgi, migrated_rows, pristine_db  # noqa: F401 - the browser test's server


def levelled(level=3, **kwargs):
    user = UserFactory(**kwargs)
    MemberLevel.objects.create(member=user, level_number=level)
    return user


@pytest.fixture
def alice(db):
    return levelled(username="alice", display_name="爱丽丝")


@pytest.fixture
def bob(db):
    return levelled(username="bob", display_name="鲍勃")


@pytest.fixture
def carol(db):
    return levelled(username="carol", display_name="卡罗尔")


@pytest.fixture
def pm_settings(settings):
    settings.HUOLI = {**django_settings.HUOLI, "PM_MAX_PARTICIPANTS": 3, "PM_MIN_LEVEL": 2, "PM_NEW_PER_DAY": 2}
    return settings

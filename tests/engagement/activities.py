"""Helpers shared by the polls / lotteries / events tests."""

import datetime
import importlib.util
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone, translation

from engagement.levels.models import MemberLevel
from engagement.points import services as points_services
from engagement.points.selectors import account_get


def load_verifier():
    """tools/verify_draw.py, the stand-alone verifier, imported from its path."""
    path = Path(settings.BASE_DIR) / "tools" / "verify_draw.py"
    spec = importlib.util.spec_from_file_location("verify_draw", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def set_level(member, number):
    MemberLevel.objects.update_or_create(member=member, defaults={"level_number": number})
    if hasattr(member, "_state") and "member_level" in member._state.fields_cache:
        del member._state.fields_cache["member_level"]


def give_points(member, amount, staff):
    points_services.points_adjust(actor=staff, member=member, amount=amount, reason="test grant")


def balance(member):
    return account_get(member=member).balance


def in_minutes(n):
    return timezone.now() + datetime.timedelta(minutes=n)


@pytest.fixture(autouse=True)
def english(settings):
    """Messages and pages in English (the source language) whatever the site default is, so the
    tests read the texts they assert. Import this fixture into a test module to apply it there."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield

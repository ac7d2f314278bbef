"""PostgreSQL: an owner and a deputy approving one application at the same moment make one membership;
the other is told it was already reviewed (the application's row lock, and the membership's unique
constraint under it)."""

import threading

import pytest
from django.db import connection

from forum.errors import Conflict
from forum.groups import services as group_services
from forum.groups.models import Application, MemberGroup, Membership
from tests.factories import UserFactory, add_member, make_group

pytestmark = [pytest.mark.postgres, pytest.mark.serial,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_concurrent_approvals_make_one_membership():
    owner = UserFactory()
    group = make_group(name="并发小组", slug="race", owner=owner, questions=())
    deputies = [add_member(group, UserFactory(), role="deputy") for _ in range(3)]
    applicant = UserFactory()
    application = group_services.application_create(actor=applicant, group=group, answers=[])
    barrier = threading.Barrier(4)
    outcomes, errors = [], []

    def approve(actor):
        try:
            barrier.wait()
            group_services.application_decide(actor=actor, application=application, approve=True, reason="欢迎")
            outcomes.append("approved")
        except Conflict:
            outcomes.append("conflict")
        except Exception as exc:  # noqa: BLE001 - every other error fails the test
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(actor,)) for actor in [owner, *deputies]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(outcomes) == ["approved", "conflict", "conflict", "conflict"]
    assert Membership.objects.filter(group=group, member=applicant).count() == 1
    assert Application.objects.get(pk=application.pk).status == "approved"
    # 1 owner + 3 deputies + the applicant
    assert MemberGroup.objects.get(pk=group.pk).member_count == 5

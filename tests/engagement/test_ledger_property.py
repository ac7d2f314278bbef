"""A Hypothesis state machine: random earn / spend / reverse / grant / deduct sequences against a
simple model of balances and lifetime totals. After every step the cached accounts equal the model
and the ledger sums; duplicates (same idempotency key) credit nothing."""

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from engagement.points import services
from engagement.points.errors import InsufficientPoints
from engagement.points.models import PointsAccount, PointsEntry
from engagement.points.selectors import accounts_out_of_balance
from forum.errors import InvalidInput
from tests.factories import UserFactory

MEMBERS = 3
KEYS = st.integers(min_value=0, max_value=6)  # a small key space makes duplicates common


@pytest.mark.django_db
def test_ledger_state_machine():
    staff = UserFactory(is_staff=True)

    class Ledger(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.members = [UserFactory() for _ in range(MEMBERS)]  # fresh members for every run
            self.balance = [0] * MEMBERS
            self.lifetime = [0] * MEMBERS
            self.earned = {}  # key -> (member index, amount, entry id)
            self.spent = set()
            self.reversed = set()

        @rule(m=st.integers(0, MEMBERS - 1), amount=st.integers(1, 50), key=KEYS)
        def earn(self, m, amount, key):
            k = (m, "earn", key)
            entry = services.points_award(member=self.members[m], rule_code="checkin_streak_bonus", amount=amount,
                                          source_type="prop", source_id=str(key))
            if k in self.earned:
                assert entry.duplicate and entry.pk == self.earned[k][2]
                return
            self.earned[k] = (m, amount, entry.pk)
            self.balance[m] += amount
            self.lifetime[m] += amount

        @rule(m=st.integers(0, MEMBERS - 1), amount=st.integers(-20, 60), key=KEYS)
        def spend(self, m, amount, key):
            k = (m, "spend", key)
            try:
                services.points_spend(member=self.members[m], amount=amount, reason="prop", key=str(key))
            except InvalidInput:
                assert amount <= 0
                return
            except InsufficientPoints:
                assert k not in self.spent and self.balance[m] < amount
                return
            if k in self.spent:
                return
            assert amount > 0 and self.balance[m] >= amount
            self.spent.add(k)
            self.balance[m] -= amount

        @rule(m=st.integers(0, MEMBERS - 1), key=KEYS)
        def reverse(self, m, key):
            k = (m, "earn", key)
            if k not in self.earned:
                return
            entry = PointsEntry.objects.get(pk=self.earned[k][2])
            services.points_reverse(entry=entry, note="prop")
            if k in self.reversed:
                return
            self.reversed.add(k)
            self.balance[m] -= entry.amount
            self.lifetime[m] -= entry.amount

        @rule(m=st.integers(0, MEMBERS - 1), amount=st.integers(-30, 30))
        def adjust(self, m, amount):
            try:
                services.points_adjust(actor=staff, member=self.members[m], amount=amount, reason="prop")
            except InvalidInput:
                assert amount == 0
                return
            except InsufficientPoints:
                assert amount < 0 and self.balance[m] < -amount
                return
            self.balance[m] += amount
            if amount > 0:
                self.lifetime[m] += amount

        @invariant()
        def accounts_match_the_model_and_the_ledger(self):
            for i, member in enumerate(self.members):
                acct = PointsAccount.objects.filter(member=member).first()
                got = (acct.balance, acct.lifetime_earned) if acct else (0, 0)
                assert got == (self.balance[i], self.lifetime[i])
                assert got[1] >= 0
            assert accounts_out_of_balance(member_ids=[m.pk for m in self.members]) == []

    Ledger.TestCase.settings = settings(max_examples=25, stateful_step_count=25, deadline=None,
                                        suppress_health_check=[HealthCheck.too_slow,
                                                               HealthCheck.function_scoped_fixture])
    Ledger.TestCase().runTest()

from django.utils.translation import gettext as _

from forum.errors import Conflict


class InsufficientPoints(Conflict):
    code = "insufficient_points"

    def __init__(self, *, balance, amount):
        super().__init__(
            _("Not enough points: you have %(balance)d and this needs %(amount)d.")
            % {"balance": balance, "amount": amount}
        )
        self.balance = balance
        self.amount = amount

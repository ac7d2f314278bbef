"""What the lotteries app announces (receivers run after commit, as forum.hooks).
engagement.events listens to lottery_entered to record participation."""

from forum.hooks import Event

lottery_entered = Event("lottery_entered", "lottery, member, entry")
lottery_drawn = Event("lottery_drawn", "lottery, winner_ids (member ids, in draw order)")

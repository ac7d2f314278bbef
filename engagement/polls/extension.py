"""What the polls app announces (same contract as forum.hooks: receivers run after commit).
engagement.events listens to record participation."""

from forum.hooks import Event

poll_voted = Event("poll_voted", "poll, member, ballot, first (bool: a new ballot, not a changed one)")

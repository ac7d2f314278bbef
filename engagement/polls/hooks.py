"""Listeners of the polls app: none yet. Polls announce poll_voted (engagement/polls/extension.py);
engagement.events listens to it."""

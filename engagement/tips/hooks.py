"""Tips plug into the forum's post actions (sections.py): the tip button."""

from forum import hooks

from . import sections

hooks.post_tools.connect(sections.tip_button)

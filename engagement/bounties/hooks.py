"""Bounties plug into the forum's pages (sections.py): the topic page's "bounty" section, the
new-topic form's bounty field and the asker's "Accept this answer" on each reply."""

from forum import hooks

from . import sections

hooks.topic_sections.register(sections.SECTION_KEY, sections.render_topic_bounty)
hooks.topic_form.connect(sections.new_topic_bounty)
hooks.post_tools.connect(sections.accept_button)

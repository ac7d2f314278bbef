"""Commissions plug into the forum's pages: the topic page's "commission" section (sections.py)."""

from forum import hooks

from . import sections
from .services import SECTION_KEY

hooks.topic_sections.register(SECTION_KEY, sections.render_topic_commission)

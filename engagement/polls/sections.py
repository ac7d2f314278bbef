"""What polls add to the forum's pages through forum.hooks (connected in engagement/polls/hooks.py):

- the "polls" section of the topic page (forum.hooks.topic_sections): every poll of the topic as a
  widget, voting included, for guests and members; only topics whose Topic.sections carry "polls"
  (set by services.poll_create) pay for it;
- the optional "add a poll" section of the new-topic form (forum.hooks.topic_form): offered to
  members whose level has the "may create polls" privilege (the others see it locked, with the
  level that may); checked before the topic is written,
  and created after it in the same transaction, so a bad poll writes neither."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from engagement.levels import permissions as level_permissions
from forum.errors import ForumError
from forum.forms import add_service_error

from . import services
from .forms import TopicPollForm

SECTION_KEY = services.POLLS_SECTION


def render_topic_polls(request, topic):
    return render_to_string("polls/topic_polls.html", {"topic": topic}, request=request)


class NewTopicPoll:
    """The poll section of the new-topic form (the protocol of forum.hooks.FormSections)."""

    def __init__(self, request, data=None):
        self.user = request.user
        self.refusal = level_permissions.create_poll_refusal(self.user)
        self.offered = self.refusal is None
        self.form = TopicPollForm(data) if data is not None else TopicPollForm()

    @property
    def html(self):
        if not self.offered and not self.form.errors:
            # not a missing section but a locked one: the member learns which level may add a poll
            return render_to_string("polls/topic_form_section_locked.html", {"refusal": self.refusal})
        open_ = self.form.wanted or bool(self.form.is_bound and self.form.errors)
        return render_to_string("polls/topic_form_section.html", {"form": self.form, "open": open_})

    def is_valid(self):
        if not self.form.wanted:
            return True
        if not self.form.is_valid():
            return False
        kwargs = self.form.service_kwargs()
        try:
            level_permissions.check_create_poll(self.user)
            services.clean_poll_fields(
                question=kwargs["question"], options=kwargs["options"], max_choices=kwargs["max_choices"],
                closes_at=kwargs["closes_at"], results_visibility=kwargs["results_visibility"],
                min_level=kwargs["min_level"], now=timezone.now())
        except ForumError as error:
            add_service_error(self.form, error)
            return False
        return True

    def save(self, *, topic, actor, **kwargs):
        """After topic_create, in its transaction: the poll service makes every check again (the
        level privilege included); a refusal rolls the topic back too."""
        if not self.form.wanted:
            return None
        try:
            return services.poll_create(actor=actor, topic=topic, **self.form.service_kwargs())
        except ForumError as error:
            add_service_error(self.form, error)
            raise


def new_topic_poll(request, data=None):
    if not request.user.is_authenticated:
        return None
    return NewTopicPoll(request, data)


def topic_tool_links(user, topic):
    """"Add a poll" for the topic's author (forum.hooks.topic_tools). An author whose level may not
    create polls sees it disabled, with the level that may, instead of a link to a refusal page;
    only the author's own page pays for that check (their level row, at most one query)."""
    if user.pk != topic.author_id or topic.is_locked or SECTION_KEY in (topic.sections or ()):
        return []  # a topic with polls offers "Add another poll" in its section
    refusal = level_permissions.create_poll_refusal(user)
    if refusal:
        return [(gettext("Add a poll"), None, refusal)]
    return [(gettext("Add a poll"), reverse("polls:new", args=[topic.pk]))]

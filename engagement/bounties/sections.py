"""What bounties add to the forum's pages through forum.hooks (connected in hooks.py):

- the "bounty" section of the topic page (topic_sections): the amount, the deadline and, once
  accepted, the accepted answer shown first, above the replies;
- the optional bounty field of the new-topic form (topic_form): checked before the topic is
  written, the escrow spent after it in the same transaction (too few points roll both back);
- "Accept this answer" on each reply by someone else, for the asker (post_tools; no query: the
  accept endpoint checks the rest)."""

from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext

from engagement.points.selectors import account_get
from forum.errors import ForumError
from forum.forms import add_service_error

from . import selectors, services
from .forms import TopicBountyForm

SECTION_KEY = services.SECTION_KEY


def render_topic_bounty(request, topic):
    bounty = selectors.bounty_for_topic(topic_id=topic.pk)
    if bounty is None:
        return ""
    user = getattr(request, "user", None)
    return render_to_string("bounties/topic_bounty.html", {
        "bounty": bounty, "topic": topic, "payouts": list(bounty.payouts.all()),
        "is_asker": bool(user and user.is_authenticated and user.pk == bounty.asker_id)}, request=request)


class NewTopicBounty:
    """The bounty field of the new-topic form (the protocol of forum.hooks.FormSections)."""

    def __init__(self, request, data=None):
        self.user = request.user
        self.form = TopicBountyForm(data) if data is not None else TopicBountyForm()

    @property
    def html(self):
        return render_to_string("bounties/topic_form_section.html", {
            "form": self.form, "open": self.form.wanted or bool(self.form.is_bound and self.form.errors),
            "balance": account_get(member=self.user).balance})

    def is_valid(self):
        if not self.form.wanted:
            return True
        if not self.form.is_valid():
            return False
        try:
            amount = services.clean_amount(self.form.cleaned_data["bounty_amount"])
            balance = account_get(member=self.user).balance
            if balance < amount:
                raise ForumError(gettext("Not enough points: you have %(balance)d and this needs %(amount)d.")
                                 % {"balance": balance, "amount": amount}, field="bounty_amount")
        except ForumError as error:
            error.field = "bounty_amount"
            add_service_error(self.form, error)
            return False
        return True

    def save(self, *, topic, actor, **kwargs):
        if not self.form.wanted:
            return None
        try:
            return services.bounty_offer(actor=actor, topic=topic, amount=self.form.cleaned_data["bounty_amount"])
        except ForumError as error:
            error.field = "bounty_amount"
            add_service_error(self.form, error)
            raise


def new_topic_bounty(request, data=None):
    if not request.user.is_authenticated:
        return None
    return NewTopicBounty(request, data)


def accept_button(request, post, topic):
    user = request.user
    if (services.OPEN_KEY not in (topic.sections or ()) or user.pk != topic.author_id or post.number == 1
            or post.author_id == user.pk):
        return []
    return [format_html(
        '<form method="post" action="{}" class="inline-form bounty-accept">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<button type="submit" class="linklike">{}</button></form>',
        reverse("bounties:accept", args=[topic.pk, post.pk]), get_token(request), gettext("Accept this answer"))]

from django import forms
from django.utils.translation import gettext_lazy as _

from engagement.polls.forms import DateTimeInput
from forum.widgets import TopicChooserField


class LotteryForm(forms.Form):
    title = forms.CharField(label=_("Title"), required=False, max_length=120,
                            widget=forms.TextInput(attrs={"required": True, "maxlength": 120}))
    prize = forms.CharField(label=_("Prize"), required=False, widget=forms.Textarea(attrs={"rows": 3, "required": True}))
    prize_image = forms.ImageField(label=_("Prize image"), required=False)
    winners_count = forms.IntegerField(label=_("Number of winners"), required=False, min_value=1, initial=1)
    opens_at = forms.DateTimeField(label=_("Entries open at"), required=False, widget=DateTimeInput())
    closes_at = forms.DateTimeField(label=_("Entries close at"), required=False, widget=DateTimeInput())
    topic = TopicChooserField(label=_("Topic"), required=False,
                              help_text=_("Optional: the topic where the lottery is announced (search by title)."))
    require_reply = forms.BooleanField(label=_("Entrants must have replied in that topic"), required=False)
    min_level = forms.IntegerField(label=_("Minimum level"), required=False, min_value=0, initial=0)
    points_cost = forms.IntegerField(label=_("Points to enter"), required=False, min_value=0, initial=0,
                                     help_text=_("Spent on entry, refunded if the lottery is cancelled."))
    salt_source = forms.CharField(
        label=_("Public salt source"), required=False, max_length=300,
        help_text=_("Say in words where the public salt will come from, e.g. “drand quicknet round 1234567” or "
                    "“the closing value of the SSE Composite Index on 2026-12-01”. You will enter that value to "
                    "draw. Leave empty to draw automatically (without a salt) when entries close."))

    def service_kwargs(self, topic):
        d = self.cleaned_data
        return {"title": d["title"], "prize": d["prize"], "winners_count": d["winners_count"],
                "opens_at": d["opens_at"], "closes_at": d["closes_at"], "topic": topic,
                "require_reply": d["require_reply"], "min_level": d["min_level"] or 0,
                "points_cost": d["points_cost"] or 0, "salt_source": d["salt_source"],
                "prize_image": d.get("prize_image")}


class LotteryEditForm(LotteryForm):
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=500,
                             widget=forms.TextInput(attrs={"required": True}))

"""The operator dashboard (stages over time, at-risk and churned lists, CSV export), recall
templates and campaigns with their effectiveness. Moderators only."""


from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from engagement.kol import svg
from forum.errors import ForumError
from forum.forms import add_service_error
from forum.lib.exports import SafeWriter
from forum.lib.web import login_redirect
from forum.models import Category
from forum.views import shows_forum_errors

from . import permissions, selectors, services
from .models import RecallTemplate, Stage


def moderators_only(view):
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return login_redirect(request)
        permissions.check_manage_lifecycle(request.user)
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return shows_forum_errors(wrapper)


class FilterForm(forms.Form):
    stage = forms.TypedChoiceField(label=gettext_lazy("Stage"), required=False, coerce=int, empty_value=None,
                                   choices=[("", gettext_lazy("At risk and churned"))] + list(Stage.choices))
    q = forms.CharField(label=gettext_lazy("Member"), required=False, max_length=40)
    category = forms.ChoiceField(label=gettext_lazy("Main category"), required=False)
    inactive_days = forms.IntegerField(label=gettext_lazy("Inactive for at least (days)"), required=False,
                                       min_value=0, max_value=3650)
    min_posts = forms.IntegerField(label=gettext_lazy("At least this many posts"), required=False, min_value=0)
    order = forms.ChoiceField(label=gettext_lazy("Order"), required=False, choices=[
        ("recent", gettext_lazy("Last active, newest first")), ("oldest", gettext_lazy("Last active, oldest first")),
        ("posts", gettext_lazy("Most posts")), ("baseline", gettext_lazy("Highest usual activity"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("Any"))] + list(
            Category.objects.order_by("position", "pk").values_list("slug", "name"))

    def filters(self):
        d = self.cleaned_data if self.is_valid() else {}
        return {"q": d.get("q") or "", "category": d.get("category") or "",
                "inactive_days": "" if d.get("inactive_days") is None else str(d["inactive_days"]),
                "min_posts": "" if d.get("min_posts") is None else str(d["min_posts"])}


def _members(form):
    d = form.cleaned_data if form.is_valid() else {}
    stage = d.get("stage")
    qs = selectors.lifecycle_members(stage=stage, order=d.get("order") or "recent", **form.filters())
    if stage is None:
        qs = qs.filter(stage__in=[Stage.AT_RISK, Stage.CHURNED])
    return qs


@require_safe
@moderators_only
def dashboard(request):
    form = FilterForm(request.GET or None)
    page = Paginator(_members(form), 50).get_page(request.GET.get("page"))
    days, series = selectors.stage_history(days=90)
    chart = svg.line_chart(
        series=series, labels=[d.strftime("%m-%d") for d in days],
        title=_("Members per lifecycle stage, last 90 days"),
        desc=_("One line per stage (new, active, at risk, churned, recalled), one point per classified day. "
               "The table below lists the same counts."),
    ) if days else None
    query = request.GET.copy()
    query.pop("page", None)
    page_params = {k: v for k, v in request.GET.items() if k in form.fields and v}
    return render(request, "lifecycle/dashboard.html", {
        "form": form, "page": page, "chart": chart, "days": days, "series": series,
        "table_rows": [(d, [vs[i] for _label, vs in series]) for i, d in enumerate(days)],
        "counts": selectors.stage_counts(), "query": query.urlencode(), "page_params": page_params,
    })


class _Echo:
    def write(self, value):
        return value


@require_safe
@moderators_only
def export_csv(request):
    """The dashboard's list (same filters) as CSV, streamed."""
    form = FilterForm(request.GET or None)
    rows = _members(form)
    writer = SafeWriter(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow([_("username"), _("name"), _("stage"), _("since"), _("last activity"),
                                          _("usual active days per week"), _("active days per week lately"),
                                          _("posts"), _("topics"), _("votes given"), _("main category")])
        for r in rows.iterator(chunk_size=2000):
            yield writer.writerow([
                r.member.username, r.member.name, Stage(r.stage).label, r.since.isoformat(),
                r.last_active_at.isoformat() if r.last_active_at else "", r.baseline_rate, r.recent_rate,
                r.posts, r.topics, r.votes, r.main_category.name if r.main_category else ""])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="members-lifecycle.csv"'
    return response


class RecallForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Campaign name"), max_length=120)
    template = forms.ModelChoiceField(label=gettext_lazy("Template"), queryset=RecallTemplate.objects.all())
    stage = forms.TypedChoiceField(label=gettext_lazy("Recall members who are"), coerce=int,
                                   choices=[(Stage.AT_RISK, Stage.AT_RISK.label), (Stage.CHURNED, Stage.CHURNED.label)])
    bonus_points = forms.IntegerField(label=gettext_lazy("Bonus points if they come back within 14 days"),
                                      min_value=0, max_value=10000, initial=0, required=False)


@require_http_methods(["GET", "HEAD", "POST"])
@moderators_only
def recall_new(request):
    """A recall campaign for the dashboard's current filters (carried in the query string)."""
    filter_form = FilterForm(request.GET or None)
    filters = filter_form.filters()
    initial_stage = request.GET.get("stage") if request.GET.get("stage") in ("3", "4") else Stage.AT_RISK
    form = RecallForm(request.POST or None, initial={"stage": initial_stage})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            campaign = services.recall_campaign_create(
                actor=request.user, template=d["template"], name=d["name"], stage=d["stage"],
                bonus_points=d.get("bonus_points") or 0, filters=filters)
        except ForumError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Recall sent to %(n)d members.") % {"n": campaign.recipient_count})
            return redirect("lifecycle:campaigns")
    stage = form["stage"].value()
    try:
        audience = selectors.lifecycle_members(stage=int(stage), **filters).count()
    except (TypeError, ValueError):
        audience = 0
    return render(request, "lifecycle/recall_form.html", {
        "form": form, "filters": {k: v for k, v in filters.items() if v}, "audience": audience,
        "placeholders": sorted(services.PLACEHOLDERS), "has_templates": RecallTemplate.objects.exists(),
    }, status=400 if request.method == "POST" else 200)


@require_safe
@moderators_only
def campaigns(request):
    return render(request, "lifecycle/campaigns.html", {"campaigns": selectors.campaigns_effectiveness(),
                                                        "templates": selectors.templates()})


class TemplateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=80)
    subject = forms.CharField(label=gettext_lazy("Subject (also the notification text)"), max_length=150)
    body = forms.CharField(label=gettext_lazy("Email message"), max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 10}))


@require_http_methods(["GET", "HEAD", "POST"])
@moderators_only
def template_edit(request, pk=None):
    template = None
    if pk is not None:
        template = RecallTemplate.objects.filter(pk=pk).first()
        if template is None:
            raise Http404
    initial = {"name": template.name, "subject": template.subject, "body": template.body} if template else {}
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.recall_template_save(actor=request.user, template=template, **form.cleaned_data)
        except ForumError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The template is saved."))
            return redirect("lifecycle:campaigns")
    return render(request, "lifecycle/template_form.html", {
        "form": form, "template": template, "placeholders": sorted(services.PLACEHOLDERS)},
        status=400 if request.method == "POST" else 200)

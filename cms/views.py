"""Public CMS views: the featured (精华) list with its filters, the feature / unfeature actions used
by the forum pages (through cms/includes/feature_controls.html) and by the Wagtail admin, and the
"Featured content" screen of the Wagtail admin. Every write is a forum service: the rules live there."""

import re

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from forum import permissions, selectors, services
from forum.errors import ForumError, InvalidInput, NotAllowed
from forum.lib.redirects import safe_next
from forum.widgets import TopicChooserField

FEATURED_KINDS = ("topics", "posts")


def _page_number(request):
    try:
        return max(int(request.GET.get("page", 1)), 1)
    except (TypeError, ValueError):
        return 1


def _next_url(request, default):
    return safe_next(request, request.POST.get("next") or request.GET.get("next"), default)


def _error(request, error, back):
    response = render(request, "cms/feature_error.html", {"error": error, "back": back}, status=error.status)
    if getattr(error, "retry_after", None):
        response["Retry-After"] = str(error.retry_after)
    return response


@require_safe
def featured(request):
    """/featured/: featured topics or posts, filterable by kind and category."""
    kind = request.GET.get("type", "topics")
    if kind not in FEATURED_KINDS:
        kind = "topics"
    categories = selectors.category_list(user=request.user)
    slug = request.GET.get("category", "")
    category = next((c for c in categories if c.slug == slug), None) if slug else None
    per_page = settings.HUOLI["TOPICS_PER_PAGE"]
    select = selectors.featured_topics if kind == "topics" else selectors.featured_posts
    page = select(user=request.user, category=category, page=_page_number(request), per_page=per_page)
    return render(request, "cms/featured.html", {
        "kind": kind, "page": page, "categories": categories, "category": category,
        "can_feature": permissions.can_feature(request.user),
    })


def _feature(request, *, obj, kind, back):
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    action = request.POST.get("action", "")
    if action not in {"feature", "unfeature"}:
        return _error(request, InvalidInput(_("Unknown action: feature or unfeature.")), back)
    featured = action == "feature"
    try:
        if kind == "topic":
            services.topic_feature(actor=request.user, topic=obj, featured=featured, note=request.POST.get("note", ""))
        else:
            services.post_feature(actor=request.user, post=obj, featured=featured, note=request.POST.get("note", ""))
    except ForumError as error:
        return _error(request, error, back)
    if kind == "topic":
        messages.success(request, _("The topic is featured.") if featured else _("The topic is no longer featured."))
    else:
        messages.success(request, _("The post is featured.") if featured else _("The post is no longer featured."))
    return redirect(_next_url(request, back))


@require_POST
def feature_topic(request, pk):
    back = reverse("forum:topic_short", args=[pk])
    try:
        topic = selectors.topic_get(topic_id=pk, user=request.user)
    except ForumError as error:
        return _error(request, error, reverse("forum:index"))
    return _feature(request, obj=topic, kind="topic", back=topic.get_absolute_url() or back)


@require_POST
def feature_post(request, pk):
    try:
        post = selectors.post_get(post_id=pk, user=request.user)
    except ForumError as error:
        return _error(request, error, reverse("forum:index"))
    return _feature(request, obj=post, kind="post", back=post.get_absolute_url())


# --- the Wagtail admin screen ---------------------------------------------------------------------
class FeatureForm(forms.Form):
    topic = TopicChooserField(label=gettext_lazy("Topic"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].bind_user(user)



_TOPIC_URL = re.compile(r"/t/(\d+)(?:/|$)")
_POST_URL = re.compile(r"/p/(\d+)(?:/|$)")


def parse_target(text):
    """A topic or post given as a URL (…/t/12/slug/, …/p/34/) or as "t12" / "p34" / "12" (a topic)."""
    text = (text or "").strip()
    for pattern, kind in ((_TOPIC_URL, "topic"), (_POST_URL, "post")):
        match = pattern.search(text)
        if match:
            return kind, int(match.group(1))
    match = re.fullmatch(r"([tTpP#]?)\s*(\d{1,12})", text)
    if match:
        return ("post" if match.group(1) in {"p", "P"} else "topic"), int(match.group(2))
    raise InvalidInput(_("Give a topic or post address, such as /t/12/ or /p/34/."), field="target")


@require_http_methods(["GET", "HEAD", "POST"])
def admin_featured(request):
    """Wagtail admin → Featured content: feature a topic or post by its address, with a note;
    list what is featured with an unfeature button (the same services as the forum pages)."""
    error = None
    values = {"target": "", "note": ""}
    form = FeatureForm(request.POST or None, user=request.user)
    if request.method == "POST":
        values = {"target": request.POST.get("target", ""), "note": request.POST.get("note", "")}
        try:
            if not permissions.can_feature(request.user):  # a clear refusal before parsing anything
                raise NotAllowed(_("Only editors and moderators may feature content."))
            if not form.is_valid():
                raise InvalidInput(_("Please correct the errors below."), field="topic")
            if form.cleaned_data["topic"]:
                kind, pk = "topic", form.cleaned_data["topic"]
            elif values["target"].strip():
                kind, pk = parse_target(values["target"])
            else:
                raise InvalidInput(_("Choose a topic, or give the address of a post."), field="topic")
            if kind == "topic":
                obj = selectors.topic_get(topic_id=pk, user=request.user)
                services.topic_feature(actor=request.user, topic=obj, featured=True, note=values["note"])
            else:
                obj = selectors.post_get(post_id=pk, user=request.user)
                services.post_feature(actor=request.user, post=obj, featured=True, note=values["note"])
        except ForumError as exc:
            error = exc
        except Http404:  # from the selectors: an unknown number
            error = InvalidInput(_("There is no such topic or post."), field="target")
        else:
            messages.success(request, _("Featured: %(title)s") % {"title": obj.topic.title if kind == "post"
                                                                   else obj.title})
            return redirect("cms_featured_admin")
    context = {
        "topics": selectors.featured_topics(user=request.user, page=_page_number(request), per_page=50),
        "posts": selectors.featured_posts(user=request.user, per_page=50),
        "error": error, "values": values, "can_feature": permissions.can_feature(request.user), "form": form,
        "next": reverse("cms_featured_admin"),
    }
    return render(request, "cms/admin/featured.html", context, status=error.status if error else 200)



@require_http_methods(["GET", "HEAD", "POST"])
def admin_digest(request):
    """Wagtail admin → Weekly digest: the latest digests and a "Propose now" button for editors, which proposes
    last week's digest as a draft at once (the Monday task does the same), audited, with a link to edit it."""
    from . import services as cms_services
    from .models import DigestPage

    if not permissions.is_editor(request.user):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("Only editors may propose the weekly digest."))
    if request.method == "POST":
        try:
            page, created = cms_services.digest_propose_now(actor=request.user)
        except ForumError as error:
            messages.error(request, error.message)
        else:
            edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
            if created:
                messages.success(request, _("The draft “%(title)s” is ready: review and publish it.") % {
                    "title": page.title})
            else:
                messages.info(request, _("“%(title)s” exists already: nothing new was proposed.") % {
                    "title": page.title})
            return redirect(edit_url)
    digests = DigestPage.objects.order_by("-week_start")[:10]
    return render(request, "cms/admin/digest.html", {"digests": digests})

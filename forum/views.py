"""The forum's HTML pages. Each view parses the input, calls a service (writes) or selectors (reads)
and renders; every rule lives in forum.services / forum.permissions.

- A forum.errors.ForumError is shown on the page with its status (400/403/409/429, plus Retry-After
  on 429). A form is re-rendered with the member's input kept, so nothing typed is lost.
- Writes by guests redirect to the sign-in page; every POST is CSRF-protected (Django's middleware).
- htmx: vote and bookmark forms swap a fragment when the request comes from htmx, and work as plain
  forms (redirect back to the post) without JavaScript.
- Anonymous readers get pages whose body is a cached fragment (forum/cache.py), keyed by a version
  that every write bumps, so they are never stale.
"""

import html
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from . import cache as fragment_cache
from . import events, hooks, permissions, selectors, services
from .composer import selectors as composer_selectors
from .composer import services as composer_services
from .errors import ForumError, InvalidInput, RateLimited
from .forms import PostEditForm, ProfileForm, ReplyForm, TopicForm, add_service_error
from .lib import web
from .lib.redirects import safe_next

TOPIC_SORTS = ("latest", "hot", "top")


# --- helpers -----------------------------------------------------------------------------------
def _per_page(kind):
    return settings.HUOLI["POSTS_PER_PAGE" if kind == "posts" else "TOPICS_PER_PAGE"]


def with_status(response, error):
    if isinstance(error, RateLimited):
        response["Retry-After"] = str(error.retry_after)
    return response


def _render_error(request, template, context, error):
    context = {**context, "error": error}
    return with_status(render(request, template, context, status=error.status), error)


def shows_forum_errors(view):
    """A ForumError that a view does not handle itself becomes a page with its message and status;
    'please sign in' becomes the sign-in page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ForumError as error:
            if error.code == "login_required" or (not request.user.is_authenticated and request.method == "POST"):
                return web.login_redirect(request)
            return _render_error(request, "forum/error.html", {}, error)

    return wrapper


def _render_fragment(request, template, context):
    return render_to_string(template, context, request=request)


def _anonymous_fragment(request, *, scope, ident, name, parts, template, build):
    """For guests: the cached fragment. For members: None (the page renders the include itself)."""
    if request.user.is_authenticated:
        return None
    html = fragment_cache.cached_fragment(
        scope=scope, ident=ident, name=name, parts=(get_language(), *parts),
        render=lambda: _render_fragment(request, template, build()),
    )
    return mark_safe(html)  # noqa: S308 - rendered by our own template, autoescaped


def _topic_head_context(request, topic):
    # the opening post's text (its HTML's entities decoded: it is text now, escaped again by the template)
    description = " ".join(html.unescape(strip_tags(selectors.topic_opening_html(topic=topic))).split())
    description = Truncator(description).chars(200) or topic.category.name
    url = request.build_absolute_uri(topic.get_absolute_url())
    author = topic.author
    return {
        "title": topic.title, "description": description, "url": url,
        "json_ld": {
            "@context": "https://schema.org", "@type": "DiscussionForumPosting",
            "headline": topic.title, "text": description, "url": url,
            "datePublished": topic.created_at.isoformat(),
            "author": {"@type": "Person", "name": author.name,
                       "url": request.build_absolute_uri(reverse("forum:member", args=[author.username]))},
            "commentCount": topic.reply_count,
        },
    }


def _topic_head(request, topic):
    """OpenGraph / Twitter meta and the DiscussionForumPosting JSON-LD of a topic page: the same for
    every reader who may see the topic, cached under the topic's version like the page body."""
    html = fragment_cache.cached_fragment(
        scope="topic", ident=topic.pk, name="head",
        parts=(get_language(), request.build_absolute_uri("/")),
        render=lambda: _render_fragment(request, "forum/includes/topic_head.html", _topic_head_context(request, topic)),
    )
    return mark_safe(html)  # noqa: S308 - rendered by our own template, autoescaped, JSON-LD escaped


def post_url(post):
    topic = post.topic
    page = selectors.page_of_post_number(number=post.number, per_page=_per_page("posts"))
    url = topic.get_absolute_url()
    if page > 1:
        url += f"?page={page}"
    return f"{url}#p{post.number}"


def _last_page(topic):
    return selectors.page_of_post_number(number=max(topic.post_count, 1), per_page=_per_page("posts"))


# --- index, latest, category ------------------------------------------------------------------
def _index_context(request):
    return {
        "categories": selectors.category_list(user=request.user),
        "latest": selectors.latest_topics(user=request.user, limit=10),
    }


@require_safe
@shows_forum_errors
def index(request):
    fragment = _anonymous_fragment(request, scope="forum", ident=0, name="index", parts=(),
                                   template="forum/includes/index_body.html",
                                   build=lambda: _index_context(request))
    context = {"fragment": fragment} if fragment is not None else _index_context(request)
    return render(request, "forum/index.html", context)


@require_safe
@shows_forum_errors
def latest(request):
    def build():
        return {"topics": selectors.latest_topics(user=request.user, limit=30), "show_category": True}

    fragment = _anonymous_fragment(request, scope="forum", ident=0, name="latest", parts=(),
                                   template="forum/includes/topic_list.html", build=build)
    return render(request, "forum/latest.html", {"fragment": fragment} if fragment is not None else build())


@require_safe
@shows_forum_errors
def category(request, slug):
    cat = selectors.category_get(slug=slug, user=request.user)
    sort = request.GET.get("sort")
    sort = sort if sort in TOPIC_SORTS else "latest"
    tag = (request.GET.get("tag") or "").strip()[:40] or None
    page = web.page_number(request)

    def build():
        topics = selectors.topic_list(category=cat, user=request.user, sort=sort, page=page,
                                      per_page=_per_page("topics"), tag=tag)
        params = {"sort": sort} if sort != "latest" else {}
        if tag:
            params["tag"] = tag
        return {"page_obj": topics, "topics": topics.object_list, "page_params": params, "category": cat}

    fragment = _anonymous_fragment(request, scope="category", ident=cat.pk, name="list", parts=(sort, tag, page),
                                   template="forum/includes/topic_list.html", build=build)
    context = {"category": cat, "sort": sort, "sorts": _sort_links(), "tag": tag,
               "can_post": permissions.can_post_in_category(request.user, cat)}
    context.update({"fragment": fragment} if fragment is not None else build())
    return render(request, "forum/category.html", context)


@require_safe
@shows_forum_errors
def tag(request, slug):
    t = selectors.tag_get(slug=slug)
    topics = selectors.tag_topics(tag=t, user=request.user, page=web.page_number(request), per_page=_per_page("topics"))
    return render(request, "forum/tag.html", {"tag": t, "page_obj": topics, "topics": topics.object_list,
                                              "page_params": {}})


def _sort_links():
    return [("latest", _("Latest")), ("hot", _("Hot")), ("top", _("Top"))]


# --- topic -------------------------------------------------------------------------------------
def _topic_body_context(request, topic, page_number, *, reply_form=None):
    user = request.user
    posts = selectors.topic_posts(topic=topic, user=user, page=page_number, per_page=_per_page("posts"))
    is_mod = permissions.can_moderate(user, topic.category)
    may_reply = (user.is_authenticated and permissions.can_post_in_category(user, topic.category)
                 and (not topic.is_locked or is_mod))
    if may_reply and reply_form is None:
        reply_form = ReplyForm()
    return {
        "topic": topic, "category": topic.category, "page_obj": posts, "posts": posts.object_list,
        "is_mod": is_mod, "reply_form": reply_form, "page_params": {},
        "topic_tags": selectors.topic_tags(topic=topic),
        "reply_place": f"reply:{topic.pk}",  # the composer's draft (forum/composer)
    }


def _render_topic(request, topic, page_number, *, status=200, error=None, reply_form=None, reply_to=None):
    context = {"topic": topic, "category": topic.category, "error": error, "reply_to": reply_to,
               "head": _topic_head(request, topic)}
    fragment = None
    if status == 200 and reply_form is None:
        fragment = _anonymous_fragment(
            request, scope="topic", ident=topic.pk, name="page", parts=(page_number,),
            template="forum/includes/topic_body.html",
            build=lambda: _topic_body_context(request, topic, page_number),
        )
    if fragment is not None:
        context["fragment"] = fragment
    else:
        context.update(_topic_body_context(request, topic, page_number, reply_form=reply_form))
        context["reply_to"] = reply_to
        if request.user.is_authenticated:
            context["subscribed"] = selectors.topic_is_subscribed(topic=topic, user=request.user)
            if status == 200 and context["posts"]:
                services.topic_mark_read(actor=request.user, topic=topic, number=context["posts"][-1].number)
    response = render(request, "forum/topic.html", context, status=status)
    return with_status(response, error) if error else response


def _reply_form_for(request, topic):
    """A reply form prefilled by ?reply_to=<post id> or ?quote=<post id> (members only)."""
    target_id = request.GET.get("quote") or request.GET.get("reply_to")
    if not (request.user.is_authenticated and target_id and target_id.isdigit()):
        return None, None
    target = selectors.post_get(post_id=int(target_id), user=request.user)
    if target.topic_id != topic.pk or not target.is_visible:
        return None, None
    initial = {"reply_to": target.pk}
    if request.GET.get("quote"):
        initial["body"] = composer_selectors.quote_markdown(target)[1]
    return ReplyForm(initial=initial), target


@require_safe
@shows_forum_errors
def topic(request, pk, slug):
    t = selectors.topic_get(topic_id=pk, user=request.user)
    if t.merged_into_id:  # forum.moderation.merge: the topic lives on in the one it was merged into
        return redirect(reverse("forum:topic_short", args=[t.merged_into_id]), permanent=True)
    if slug != (t.slug or "-"):
        url = t.get_absolute_url()
        if request.META.get("QUERY_STRING"):
            url += "?" + request.META["QUERY_STRING"]
        return redirect(url, permanent=True)
    services.topic_register_view(topic_id=t.pk)
    reply_form, reply_to = _reply_form_for(request, t)
    return _render_topic(request, t, web.page_number(request), reply_form=reply_form, reply_to=reply_to)


@require_safe
@shows_forum_errors
def topic_short(request, pk):
    t = selectors.topic_get(topic_id=pk, user=request.user)
    return redirect(t.get_absolute_url())


@require_safe
@shows_forum_errors
def topic_unread(request, pk):
    t = selectors.topic_get(topic_id=pk, user=request.user)
    number = selectors.topic_first_unread_number(topic=t, user=request.user)
    page = selectors.page_of_post_number(number=number, per_page=_per_page("posts"))
    url = t.get_absolute_url() + (f"?page={page}" if page > 1 else "")
    return redirect(f"{url}#p{number}")


@require_POST
@shows_forum_errors
def topic_reply(request, pk):
    if not request.user.is_authenticated:
        return web.login_redirect(request, reverse("forum:topic_short", args=[pk]))
    t = selectors.topic_get(topic_id=pk, user=request.user)
    form = ReplyForm(request.POST)
    reply_to = None
    if form.is_valid():
        try:
            post = services.post_create(actor=request.user, topic=t, body=form.cleaned_data["body"],
                                        reply_to=form.cleaned_data["reply_to"])
            composer_services.draft_discard(actor=request.user, place=f"reply:{t.pk}")
        except ForumError as error:
            add_service_error(form, error)
            return _render_topic(request, t, _last_page(t), status=error.status, error=error, reply_form=form)
        return redirect(post_url(post))
    error = InvalidInput(_("Please correct the errors below."))
    return _render_topic(request, t, _last_page(t), status=400, error=error, reply_form=form, reply_to=reply_to)


@require_POST
@shows_forum_errors
def topic_subscribe(request, pk):
    if not request.user.is_authenticated:
        return web.login_redirect(request, reverse("forum:topic_short", args=[pk]))
    t = selectors.topic_get(topic_id=pk, user=request.user)
    subscribed = request.POST.get("subscribed") == "1"
    services.topic_subscribe(actor=request.user, topic=t, subscribed=subscribed)
    messages.success(request, _("You will be notified of new replies.") if subscribed
                     else _("You will no longer be notified of new replies."))
    return redirect(t.get_absolute_url())


@require_POST
@shows_forum_errors
def topic_moderate(request, pk):
    """The topic page's quick moderation buttons (lock, pin, hide the topic; hide, unhide, restore a post).
    A plain form redirects back with the verb's message; htmx gets the buttons (or the post) swapped in place,
    in their new state, with the message beside them (errors too, with their 4xx status)."""
    if not request.user.is_authenticated:
        return web.login_redirect(request, reverse("forum:topic_short", args=[pk]))
    t = selectors.topic_get(topic_id=pk, user=request.user)
    action = request.POST.get("action", "")
    page = web.page_number(request)
    post = None
    try:
        # the quick buttons on the topic page are verbs of the moderation registry (permission, audit, scope)
        from .moderation import registry

        reason = (request.POST.get("reason") or "").strip()
        if action.endswith("_post"):
            post_id = request.POST.get("post", "")
            post = selectors.post_get(post_id=int(post_id), user=request.user) if post_id.isdigit() else None
            if post is None or post.topic_id != t.pk:
                post = None
                raise InvalidInput(_("Unknown post."))
            verb = registry.verb_get(registry.POST, action.removesuffix("_post"))
            if not verb.quick:
                raise InvalidInput(_("Unknown moderation action."))
            result = registry.run(registry.POST, verb.name, actor=request.user, obj=post, data={"reason": reason})
            message = verb.done_message(result or post)
            if request.htmx:
                return _post_in_place(request, post.pk, message=message)
            messages.success(request, message)
            return redirect(post_url(post))
        verb = registry.verb_get(registry.TOPIC, action)
        if not verb.quick:
            raise InvalidInput(_("Unknown moderation action."))
        result = registry.run(registry.TOPIC, verb.name, actor=request.user, obj=t, data={"reason": reason})
        message = verb.done_message(result or t)
        if request.htmx:
            return render(request, "forum/includes/topic_mod_actions.html",
                          {"topic": selectors.topic_get(topic_id=pk, user=request.user), "mod_message": message})
        messages.success(request, message)
        return redirect(t.get_absolute_url())
    except ForumError as error:
        if request.htmx:
            if post is not None:
                return with_status(_post_in_place(request, post.pk, error=error.message, status=error.status),
                                   error)
            response = render(request, "forum/includes/topic_mod_actions.html",
                              {"topic": t, "mod_error": error}, status=error.status)
            return with_status(response, error)
        return _render_topic(request, t, page, status=error.status, error=error)


def _post_in_place(request, post_id, *, message="", error=None, status=200):
    """One post as the reader sees it on the topic page (its tools in their new state), with a message."""
    p = selectors.post_for_reader(post_id=post_id, user=request.user)
    topic = p.topic
    user = request.user
    is_mod = permissions.can_moderate(user, topic.category)
    may_reply = (user.is_authenticated and permissions.can_post_in_category(user, topic.category)
                 and (not topic.is_locked or is_mod))
    response = render(request, "forum/includes/post.html", {"post": p, "topic": topic, "is_mod": is_mod,
                                                            "reply_form": may_reply, "mod_message": message,
                                                            "mod_error": error},
                      status=status)
    response["Cache-Control"] = "private, no-store"
    return response


# --- posts -------------------------------------------------------------------------------------
@require_safe
@shows_forum_errors
def post(request, pk):
    p = selectors.post_get(post_id=pk, user=request.user)
    return redirect(post_url(p))


@require_safe
@shows_forum_errors
def post_fragment(request, pk):
    """One post as the topic page renders it for this reader: the page's own partial
    (forum/includes/post.html) with their vote, bookmark, reply, quote, report and moderation tools.
    live.js swaps it in for a reply that arrived live (whose broadcast copy is the guest's view)."""
    return _post_in_place(request, pk, message="")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@shows_forum_errors
def topic_new(request):
    categories = selectors.category_list(user=request.user)
    if request.method == "POST":
        form = TopicForm(request.POST, user=request.user, categories=categories)
        # other apps' sections of the form (forum.hooks.topic_form): checked with the form, saved
        # after the topic in the same transaction, so a refused section writes no topic either
        sections = hooks.topic_form.bind(request, request.POST)
        if all([form.is_valid(), hooks.topic_form.all_valid(sections)]):
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    t = services.topic_create(actor=request.user, category=data["category"], title=data["title"],
                                              body=data["body"], tags=data["tags"])
                    hooks.topic_form.save(sections, topic=t, actor=request.user)
                    _discard_new_topic_draft(request)
            except ForumError as error:
                add_service_error(form, error)
                return _render_error(request, "forum/topic_new.html", {"form": form, "form_sections": sections,
                                                                       "draft_place": _new_topic_place(request)},
                                     error)
            return redirect(t.get_absolute_url())
        return render(request, "forum/topic_new.html", {"form": form, "form_sections": sections,
                                                        "draft_place": _new_topic_place(request)}, status=400)
    wanted = request.GET.get("category", "")
    initial = {}
    for c in categories:
        if c.slug == wanted:
            initial["category"] = c.pk
    form = TopicForm(initial=initial, user=request.user, categories=categories)
    return render(request, "forum/topic_new.html", {"form": form, "form_sections": hooks.topic_form.bind(request),
                                                    "draft_place": f"new:{initial.get('category', 0)}"})


def _new_topic_place(request):
    """The draft place the new-topic form was opened with (its hidden field), or new:0."""
    place = request.POST.get("draft_place", "")
    return place if place.startswith("new:") and composer_services.PLACE_RE.match(place) else "new:0"


def _discard_new_topic_draft(request):
    composer_services.draft_discard(actor=request.user, place=_new_topic_place(request))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@shows_forum_errors
def post_edit(request, pk):
    p = selectors.post_get(post_id=pk, user=request.user)
    with_title = p.number == 1
    context = {"post": p, "topic": p.topic}
    if request.method == "POST":
        form = PostEditForm(request.POST, with_title=with_title)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.post_edit(actor=request.user, post=p, body=data["body"],
                                   title=data.get("title") if with_title else None, reason=data["reason"])
            except ForumError as error:
                add_service_error(form, error)
                return _render_error(request, "forum/post_edit.html", {**context, "form": form}, error)
            messages.success(request, _("Your changes are saved."))
            return redirect(post_url(p))
        return render(request, "forum/post_edit.html", {**context, "form": form}, status=400)
    permissions.check_edit_post(request.user, p)
    initial = {"body": p.source, "title": p.topic.title}
    return render(request, "forum/post_edit.html", {**context, "form": PostEditForm(initial=initial,
                                                                                    with_title=with_title)})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@shows_forum_errors
def post_delete(request, pk):
    p = selectors.post_get(post_id=pk, user=request.user)
    context = {"post": p, "topic": p.topic}
    if request.method == "POST":
        try:
            from .moderation import delete as moderation_delete

            moderation_delete.post_delete(actor=request.user, post=p, reason=request.POST.get("reason", ""))
        except ForumError as error:
            return _render_error(request, "forum/post_delete.html", context, error)
        messages.success(request, _("The post is deleted."))
        if p.number == 1:
            return redirect(p.topic.category.get_absolute_url())
        return redirect(post_url(p))
    permissions.check_delete_post(request.user, p)
    return render(request, "forum/post_delete.html", context)


def _fragment_or_page(request, post, template, error=None):
    """htmx gets the fragment (with the message, if any); a plain form goes back to the post, or
    sees the topic page with the message."""
    if request.htmx:
        response = render(request, template, {"post": post, "error": error},
                          status=error.status if error else 200)
        return with_status(response, error) if error else response
    if error:
        page = selectors.page_of_post_number(number=post.number, per_page=_per_page("posts"))
        return _render_topic(request, post.topic, page, status=error.status, error=error)
    return redirect(post_url(post))


def _post_action(request, pk, template, act):
    """A member's one-click action on a post (vote, bookmark): act(post) calls the service and
    returns the post to show; htmx gets the fragment, a plain form the post or the topic page with
    the message."""
    if not request.user.is_authenticated:
        return web.login_redirect(request, reverse("forum:post", args=[pk]))
    p = selectors.post_for_reader(post_id=pk, user=request.user)
    try:
        p = act(p)
    except ForumError as error:
        return _fragment_or_page(request, p, template, error)
    return _fragment_or_page(request, p, template)


@require_POST
@shows_forum_errors
def post_vote(request, pk):
    def vote(p):
        voted = services.post_vote(actor=request.user, post=p, value=request.POST.get("value"))
        voted.my_vote = {1: 1, -1: -1}.get(int(request.POST["value"]))
        return voted

    return _post_action(request, pk, "forum/includes/vote.html", vote)


@require_POST
@shows_forum_errors
def post_bookmark(request, pk):
    def bookmark(p):
        p.is_bookmarked = services.bookmark_toggle(actor=request.user, post=p)
        if not request.htmx:
            messages.success(request, _("Bookmarked.") if p.is_bookmarked else _("Bookmark removed."))
        return p

    return _post_action(request, pk, "forum/includes/bookmark.html", bookmark)


# --- images from the composer ------------------------------------------------------------------
@require_POST
def image_upload(request):
    """The composer's "Insert image" button posts one file here (multipart, field `image`, with the
    CSRF token) and gets JSON: {"url", "markdown"} (201), or {"error": {"code", "message"}} with the
    status of the refusal (400 not an image, 401 guest, 403 not allowed, 413 too large, 429 too often)."""
    try:
        if not request.user.is_authenticated:
            permissions.check_member(request.user)
        upload = request.FILES.get("image")
        if upload is None:
            raise InvalidInput(_("Choose an image to upload."), field="image")
        image = services.image_upload(actor=request.user, upload=upload)
    except ForumError as error:
        status = 401 if error.code == "login_required" else error.status
        body = {"error": {"code": error.code, "message": str(error.message), "field": error.field}}
        return with_status(JsonResponse(body, status=status), error)
    return JsonResponse({"url": image.file.url, "markdown": services.image_markdown(image),
                         "width": image.width, "height": image.height}, status=201)


# --- members -----------------------------------------------------------------------------------
@require_safe
@shows_forum_errors
def member(request, username):
    m = selectors.member_get(username=username)
    recent = selectors.member_recent_posts(member=m, user=request.user, limit=10)
    return render(request, "forum/member.html", {"member": m, "recent_posts": recent})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@shows_forum_errors
def profile_edit(request):
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.profile_update(actor=user, member=user, display_name=data["display_name"], bio=data["bio"],
                                        avatar=data["avatar"], remove_avatar=data["remove_avatar"])
            except ForumError as error:
                add_service_error(form, error)
                return _render_error(request, "forum/profile_edit.html", {"form": form}, error)
            messages.success(request, _("Your profile is saved."))
            return redirect(user.get_absolute_url())
        return render(request, "forum/profile_edit.html", {"form": form}, status=400)
    form = ProfileForm(initial={"display_name": user.display_name, "bio": user.bio})
    return render(request, "forum/profile_edit.html", {"form": form})


AVATAR_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64" role="img" '
    'aria-label="{label}"><rect width="64" height="64" rx="32" fill="hsl({hue},55%,38%)"/>'
    '<text x="32" y="32" dy=".35em" text-anchor="middle" font-family="system-ui,-apple-system,'
    '\'PingFang SC\',\'Microsoft YaHei\',sans-serif" font-size="30" font-weight="600" fill="#fff">{initial}</text></svg>'
)


@require_safe
@shows_forum_errors
def avatar_default(request, username):
    m = selectors.member_get(username=username)
    name = m.name.strip() or m.username
    svg = AVATAR_SVG.format(hue=m.avatar_hue, initial=escape(name[0].upper()), label=escape(name))
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


# --- notifications, bookmarks ------------------------------------------------------------------
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@shows_forum_errors
def notifications(request):
    if request.method == "POST":
        count = services.notifications_mark_read(actor=request.user)
        messages.success(request, _("%(n)d notifications marked as read.") % {"n": count})
        return redirect("forum:notifications")
    # grouped (same kind + same target), newest first; what the page shows is marked read as it is seen
    page = selectors.notification_groups(user=request.user, page=web.page_number(request), per_page=20)
    for group in page.object_list:
        latest = group.latest
        group.text = events.notification_group_text(group)
        group.link = post_url(latest.post) if latest.post_id else (latest.url or "")
    unread_keys = [g.key for g in page.object_list if g.unread]
    if unread_keys:
        services.notifications_mark_read(actor=request.user, group_keys=unread_keys)
    return render(request, "forum/notifications.html",
                  {"page_obj": page, "items": page.object_list, "page_params": {}})


@require_safe
@login_required
@shows_forum_errors
def bookmarks(request):
    page = selectors.member_bookmarks(user=request.user, page=web.page_number(request), per_page=20)
    return render(request, "forum/bookmarks.html", {"page_obj": page, "items": page.object_list, "page_params": {}})


@require_safe
def set_language(request, code):
    """The language switch as a plain link (GET /lang/en/?next=/t/1/...): sets the language cookie and sends
    the reader back to the page, or home when `next` is not a local address. A link needs no form, so a
    guest's page carries no CSRF token and sets no cookie until the reader asks for another language, and a
    shared cache may store it."""
    from django.utils.translation import check_for_language

    if code not in dict(settings.LANGUAGES) or not check_for_language(code):
        return HttpResponse(_("No such language."), status=404, content_type="text/plain; charset=utf-8")
    response = redirect(safe_next(request, request.GET.get("next"), default=reverse("forum:index")))
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=settings.LANGUAGE_COOKIE_AGE or 365 * 24 * 3600,
                        path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
                        secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                        samesite=settings.LANGUAGE_COOKIE_SAMESITE)
    response["Cache-Control"] = "no-store"
    return response


"""PLACEHOLDER: replaced by the UI work."""
from django.http import HttpResponse


def index(request, *args, **kwargs):
    return HttpResponse('index')


def latest(request, *args, **kwargs):
    return HttpResponse('latest')


def category(request, *args, **kwargs):
    return HttpResponse('category')


def topic_new(request, *args, **kwargs):
    return HttpResponse('topic_new')


def topic_short(request, *args, **kwargs):
    return HttpResponse('topic_short')


def topic_unread(request, *args, **kwargs):
    return HttpResponse('topic_unread')


def topic_reply(request, *args, **kwargs):
    return HttpResponse('topic_reply')


def topic_subscribe(request, *args, **kwargs):
    return HttpResponse('topic_subscribe')


def topic_moderate(request, *args, **kwargs):
    return HttpResponse('topic_moderate')


def topic(request, *args, **kwargs):
    return HttpResponse('topic')


def post(request, *args, **kwargs):
    return HttpResponse('post')


def post_edit(request, *args, **kwargs):
    return HttpResponse('post_edit')


def post_vote(request, *args, **kwargs):
    return HttpResponse('post_vote')


def post_bookmark(request, *args, **kwargs):
    return HttpResponse('post_bookmark')


def post_delete(request, *args, **kwargs):
    return HttpResponse('post_delete')


def member(request, *args, **kwargs):
    return HttpResponse('member')


def avatar_default(request, *args, **kwargs):
    return HttpResponse('avatar_default')


def profile_edit(request, *args, **kwargs):
    return HttpResponse('profile_edit')


def notifications(request, *args, **kwargs):
    return HttpResponse('notifications')


def bookmarks(request, *args, **kwargs):
    return HttpResponse('bookmarks')



from django.http import Http404

from forum.models import Post
from forum.permissions import can_read_topic

from .models import Tip


def readable_post(*, post_id, user):
    post = Post.objects.select_related("topic", "topic__category").filter(pk=post_id).first()
    if post is None or not post.is_visible or not can_read_topic(user, post.topic):
        raise Http404
    return post


def post_tips(*, post, limit=100):
    return list(Tip.objects.filter(post=post).select_related("tipper")[:limit])

"""The forum's searchable content, declared from search's side: every post is a document; the
opening post (number 1) also carries its topic's title, which titles suggestions are drawn from."""

from django.db.models import Prefetch

from forum.models import Post, Tag

from . import registry
from .documents import SearchDocument
from .text import plain_text


class PostIndex(registry.IndexDefinition):
    object_type = "post"
    model = Post
    chunk_size = 2000

    def queryset(self):
        return Post.objects.select_related("topic", "author").prefetch_related(
            Prefetch("topic__tags", queryset=Tag.objects.only("id", "slug"))
        )

    def ids_for_topic(self, topic_id):
        return list(Post.objects.filter(topic_id=topic_id).order_by("pk").values_list("pk", flat=True))

    def document(self, post):
        topic = post.topic
        author = post.author
        return SearchDocument(
            object_type=self.object_type,
            object_id=post.pk,
            topic_id=topic.pk,
            post_number=post.number,
            category_id=topic.category_id,
            author_id=author.pk,
            author_username=author.username,
            author_name=author.name,
            title=topic.title,
            body=plain_text(post.html),
            url=post.get_absolute_url() if post.number > 1 else topic.get_absolute_url(),
            created_at=post.created_at,
            tag_slugs=sorted(t.slug for t in topic.tags.all()),
            is_visible=post.is_visible and not topic.is_hidden,
            # 'featured' is set by the curation feature (a later issue) as Topic.is_featured
            featured=bool(getattr(topic, "is_featured", False)),
            votes=post.score,
        )


posts = registry.register(PostIndex())

import factory
from django.utils import timezone

from forum import services
from forum.models import Category, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"member{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    display_name = factory.LazyAttribute(lambda o: o.username.title())
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def with_email(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            from allauth.account.models import EmailAddress

            EmailAddress.objects.get_or_create(user=obj, email=obj.email, defaults={"verified": True, "primary": True})


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"分类 {n}")
    slug = factory.Sequence(lambda n: f"cat-{n}")
    description = "讨论区"


class TopicFactory:
    """Topics go through the service so counters and the opening post are right."""

    @staticmethod
    def create(*, author=None, category=None, title="一个关于社区运营的话题", body="正文内容 body", tags=()):
        author = author or UserFactory()
        category = category or CategoryFactory()
        return services.topic_create(actor=author, category=category, title=title, body=body, tags=tags)


def now():
    return timezone.now()

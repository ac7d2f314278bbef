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


def make_group(*, owner=None, name="增长小组", slug=None, visibility="public", admission="application", parent=None,
               questions=("你为什么想加入？",), staff=None):
    """A member group made through the service (with its category and members' auth group)."""
    from forum.groups import services as group_services

    staff = staff or UserFactory(is_staff=True)
    return group_services.group_create(actor=staff, name=name, slug=slug or "", visibility=visibility,
                                       admission=admission, parent=parent, questions=list(questions),
                                       owner=owner or staff, rules="**只谈增长**<script>x</script>")


def add_member(group, member, *, role="member", acknowledged=True):
    """A member (or deputy with powers on) of `group`, straight through the services."""
    from forum.groups import services as group_services
    from forum.groups.models import Membership

    owner = Membership.objects.filter(group=group, role="owner").select_related("member").first().member
    staff = owner if owner.is_staff else UserFactory(is_staff=True)
    group_services.group_invite(actor=staff, group=group, member=member, reason="测试")
    if role == "deputy":
        group_services.deputy_appoint(actor=staff, group=group, member=member)
        if acknowledged:
            group_services.deputy_acknowledge_handbook(actor=member, group=group)
    member.refresh_from_db()
    return member

"""The moderation verb registry, and every entry point that runs its verbs.

1. The matrix: every verb of forum.moderation.registry for a guest, a member, the post's author, a category
   moderator outside and inside the category, and staff. The allowed ones change the object and leave exactly
   one audit entry named after the verb; the refused ones change nothing and leave none. EXPECTED must name
   every verb, so a verb cannot be added without its row.
2. The entry points: the topic page's quick tools, the /mod/ topic and post pages, the post delete page, the
   API's moderation endpoints and DELETE /api/v1/posts/<id>, and the Django admin's bulk actions. Each
   moderator action through each of them leaves exactly one audit entry, and a refused one leaves none.
"""

import json

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditLog
from engagement.levels.models import MemberLevel
from forum import services
from forum.errors import ForumError
from forum.models import Post, Topic
from forum.moderation import moderators, registry
from tests.factories import CategoryFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "member", "author", "catmod_outside", "catmod", "staff")
MODERATORS_HERE = {"catmod", "staff"}

# verb key -> (personas allowed, the object's state before, a check of the state after)
EXPECTED = {
    "topic.lock": (MODERATORS_HERE, {}, lambda t, p: t.is_locked),
    "topic.unlock": (MODERATORS_HERE, {"is_locked": True}, lambda t, p: not t.is_locked),
    "topic.pin": (MODERATORS_HERE, {}, lambda t, p: t.is_pinned),
    "topic.unpin": (MODERATORS_HERE, {"is_pinned": True}, lambda t, p: not t.is_pinned),
    "topic.hide": (MODERATORS_HERE, {}, lambda t, p: t.is_hidden),
    "topic.unhide": (MODERATORS_HERE, {"is_hidden": True}, lambda t, p: not t.is_hidden),
    # moving into beta needs the power to moderate beta too: staff, not alpha's category moderator
    "topic.move": ({"staff"}, {}, lambda t, p: t.category.slug == "beta"),
    "topic.merge": (MODERATORS_HERE, {}, lambda t, p: t.merged_into_id is not None),
    "topic.split": (MODERATORS_HERE, {}, lambda t, p: p.topic_id != t.pk),
    "post.hide": (MODERATORS_HERE, {}, lambda t, p: p.is_hidden),
    "post.unhide": (MODERATORS_HERE, {"is_hidden": True}, lambda t, p: not p.is_hidden),
    "post.delete": (MODERATORS_HERE, {}, lambda t, p: p.is_deleted),
    "post.restore": (MODERATORS_HERE, {"is_deleted": True}, lambda t, p: not p.is_deleted),
    "post.edit": (MODERATORS_HERE, {}, lambda t, p: "moderated" in p.source),
}


def test_every_verb_has_a_row_and_a_label():
    assert set(EXPECTED) == set(registry.REGISTRY)
    for verb in registry.VERBS:
        assert str(verb.label) and verb.audit_action, verb.key


@pytest.fixture
def world(db):
    staff = UserFactory(is_staff=True)
    alpha, beta = CategoryFactory(slug="alpha"), CategoryFactory(slug="beta")
    author = UserFactory()
    MemberLevel.objects.create(member=author, level_number=4)
    people = {"anonymous": None, "staff": staff, "author": author, "member": UserFactory(),
              "catmod": UserFactory(), "catmod_outside": UserFactory()}
    moderators.moderator_appoint(actor=staff, member=people["catmod"], category=alpha)
    moderators.moderator_appoint(actor=staff, member=people["catmod_outside"], category=beta)
    for persona in ("catmod", "catmod_outside"):
        people[persona].refresh_from_db()  # the appointment sets its moderates_categories flag
    return {"people": people, "alpha": alpha, "beta": beta, "author": author}


def _scene(world, before):
    topic = TopicFactory.create(author=world["author"], category=world["alpha"], title="议题 for the matrix")
    reply = services.post_create(actor=world["author"], topic=topic, body="a reply to act on")
    services.post_create(actor=world["author"], topic=topic, body="a second reply")
    if before:
        Topic.objects.filter(pk=topic.pk).update(**{k: v for k, v in before.items() if k in ("is_locked",
                                                                                            "is_pinned",
                                                                                            "is_hidden")})
        Post.objects.filter(pk=reply.pk).update(**{k: v for k, v in before.items() if k in ("is_hidden",
                                                                                            "is_deleted")})
    return Topic.objects.get(pk=topic.pk), Post.objects.get(pk=reply.pk)


def _data(key, world, topic, reply):
    other = TopicFactory.create(author=world["author"], category=world["alpha"], title="the topic to merge into")
    return {"reason": "matrix", "category": "beta" if key == "topic.move" else None, "target": other, "post_ids": [reply.pk],
            "title": "split off", "body": "moderated body"}


def _state(topic, reply):
    return (Topic.objects.filter(pk=topic.pk).values().get(), Post.objects.filter(pk=reply.pk).values().get())


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_verb_matrix(world, key, persona):
    allowed, before, check = EXPECTED[key]
    applies_to, name = key.split(".")
    verb = registry.REGISTRY[key]
    topic, reply = _scene(world, before)
    obj = topic if applies_to == registry.TOPIC else reply
    data = _data(key, world, topic, reply)
    actor = world["people"][persona]
    if actor is None:
        from django.contrib.auth.models import AnonymousUser

        actor = AnonymousUser()
    audit_before, state_before = AuditLog.objects.count(), _state(topic, reply)
    if persona in allowed:
        registry.run(applies_to, name, actor=actor, obj=obj, data=data)
        entries = list(AuditLog.objects.order_by("pk")[audit_before:])
        assert [e.action for e in entries] == [f"moderation.{verb.audit_action[0]}"]
        assert entries[0].actor_id == actor.pk and entries[0].reason == "matrix"
        topic.refresh_from_db()
        reply = Post.objects.get(pk=reply.pk)
        assert check(topic, reply)
    else:
        with pytest.raises(ForumError) as refused:
            registry.run(applies_to, name, actor=actor, obj=obj, data=data)
        assert refused.value.status in (401, 403)
        assert AuditLog.objects.count() == audit_before
        assert _state(topic, reply) == state_before


def test_unknown_verb_is_a_clear_400():
    with pytest.raises(ForumError) as error:
        registry.run("topic", "explode", actor=None, obj=None)
    assert error.value.status == 400 and error.value.code == "unknown_action"


# --- every entry point ---------------------------------------------------------------------------

def _client(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _api(client, method, path, data=None):
    kwargs = {"content_type": "application/json"}
    if data is not None:
        kwargs["data"] = json.dumps(data)
    return getattr(client, method)("/api/v1" + path, **kwargs)


def _topic_quick(client, topic, reply, name, applies_to):
    data = {"action": name if applies_to == registry.TOPIC else f"{name}_post", "reason": "via quick tools"}
    if applies_to == registry.POST:
        data["post"] = reply.pk
    return client.post(reverse("forum:topic_moderate", args=[topic.pk]), data)


def _mod_page(client, topic, reply, name, applies_to):
    if applies_to == registry.TOPIC:
        return client.post(reverse("forum:mod_topic", args=[topic.pk]),
                           {"action": name, "reason": "via /mod/", "scope": "category", "category": "beta",
                            "target": "", "posts": "", "title": ""})
    return client.post(reverse("forum:mod_post", args=[reply.pk]),
                       {"action": name, "reason": "via /mod/", "body": "moderated body", "title": ""})


def _api_moderation(client, topic, reply, name, applies_to):
    if applies_to == registry.TOPIC:
        return _api(client, "post", f"/moderation/topics/{topic.pk}",
                    {"action": name, "reason": "via API", "category": "beta"})
    return _api(client, "post", f"/moderation/posts/{reply.pk}",
                {"action": name, "reason": "via API", "body": "moderated body"})


def _admin(client, topic, reply, name, applies_to):
    model, obj = ("topic", topic) if applies_to == registry.TOPIC else ("post", reply)
    return client.post(reverse(f"admin:forum_{model}_changelist"),
                       {"action": f"{applies_to}_{name}", "_selected_action": [obj.pk]})


def _admin_actions():
    from django.contrib import admin

    names = set()
    for model in (Topic, Post):
        model_admin = admin.site._registry[model]  # noqa: SLF001 - the admin exposes no public accessor
        names |= {(model._meta.model_name, action.__name__) for action in model_admin.actions if callable(action)}
    return names


ENTRY_POINTS = {
    "topic page quick tools": (_topic_quick, lambda verb: verb.quick),
    "/mod/ pages": (_mod_page, lambda verb: verb.name not in ("merge", "split")),
    "API moderation": (_api_moderation, lambda verb: verb.name not in ("merge", "split")),
    "Django admin actions": (_admin, lambda verb: (verb.applies_to, f"{verb.applies_to}_{verb.name}")
                             in _admin_actions()),
}

CASES = [(entry, key) for entry, (_, applies) in ENTRY_POINTS.items()
         for key, verb in sorted(registry.REGISTRY.items()) if applies(verb)]


def test_the_admin_offers_only_registry_actions():
    assert {name for _, name in _admin_actions()} <= {f"{v.applies_to}_{v.name}" for v in registry.VERBS}
    assert len(_admin_actions()) == 10


@pytest.mark.parametrize(("entry", "key"), CASES, ids=[f"{e}:{k}" for e, k in CASES])
def test_each_entry_point_audits_once_and_a_refusal_not_at_all(world, entry, key):
    drive, _ = ENTRY_POINTS[entry]
    applies_to, name = key.split(".")
    allowed, before, check = EXPECTED[key]
    topic, reply = _scene(world, before)
    # refused: a plain member through the same entry point (staff-only for the admin)
    outsider = world["people"]["member"]
    if entry == "Django admin actions":
        outsider = world["people"]["catmod_outside"]
        outsider.is_staff = True
        outsider.save(update_fields=["is_staff"])
        outsider.user_permissions.set([])
    count, state = AuditLog.objects.count(), _state(topic, reply)
    response = drive(_client(outsider), topic, reply, name, applies_to)
    assert response.status_code in (200, 302, 403), response.status_code
    assert AuditLog.objects.count() == count
    assert _state(topic, reply) == state
    # allowed: the category moderator (staff for the admin)
    actor = world["people"]["catmod" if "catmod" in allowed and entry != "Django admin actions" else "staff"]
    if entry == "Django admin actions":
        actor.is_superuser = True  # the admin's own model permissions, on top of the verb's check
        actor.save(update_fields=["is_superuser"])
    response = drive(_client(actor), topic, reply, name, applies_to)
    assert response.status_code in (200, 302), (response.status_code, response.content[:300])
    entries = list(AuditLog.objects.order_by("pk")[count:])
    assert [e.action for e in entries] == [f"moderation.{registry.REGISTRY[key].audit_action[0]}"], entries
    assert entries[0].actor_id == actor.pk
    topic.refresh_from_db()
    assert check(topic, Post.objects.get(pk=reply.pk))


@pytest.mark.parametrize("via", ["page", "api"])
def test_deleting_someone_elses_post_is_a_moderation_action(world, via):
    topic, reply = _scene(world, {})
    catmod, author = world["people"]["catmod"], world["author"]
    count = AuditLog.objects.count()
    if via == "page":
        response = _client(catmod).post(reverse("forum:post_delete", args=[reply.pk]), {"reason": "spam link"})
        assert response.status_code == 302
    else:
        assert _api(_client(catmod), "delete", f"/posts/{reply.pk}").status_code == 204
    entries = list(AuditLog.objects.order_by("pk")[count:])
    assert [(e.action, e.actor_id, e.subject_id) for e in entries] == [("moderation.post_delete", catmod.pk,
                                                                         author.pk)]
    # the author deleting their own post is not moderation: no entry
    own = services.post_create(actor=author, topic=topic, body="my own reply")
    count = AuditLog.objects.count()
    assert _api(_client(author), "delete", f"/posts/{own.pk}").status_code == 204
    assert AuditLog.objects.count() == count
    # and someone else may not
    other = services.post_create(actor=author, topic=topic, body="not yours")
    response = _api(_client(world["people"]["member"]), "delete", f"/posts/{other.pk}")
    assert response.status_code == 403 and AuditLog.objects.count() == count
    assert not Post.objects.get(pk=other.pk).is_deleted

"""The Django admin (/admin/): every forum model is listed, counters cannot be edited, and the
moderation actions go through forum.services (so counters and history stay right)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from forum import services
from forum.models import ApiToken, Bookmark, Category, Notification, Post, PostVote, Tag, Topic, User
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    admin = User.objects.create_superuser("rootadmin", "root@example.com", "correct-horse-battery")
    client.force_login(admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def topic_with_reply(member, other_member, category):
    topic = TopicFactory.create(author=member, category=category, title="Admin test topic", body="Opening post",
                                tags=["admin-tag"])
    reply = services.post_create(actor=other_member, topic=topic, body="A reply")
    services.post_vote(actor=member, post=reply, value=1)
    services.bookmark_toggle(actor=member, post=reply)
    return topic


@pytest.mark.parametrize("model", [User, Category, Tag, Topic, Post, PostVote, Bookmark, Notification, ApiToken])
def test_every_forum_model_has_a_working_changelist(staff_client, topic_with_reply, model):
    url = reverse(f"admin:forum_{model._meta.model_name}_changelist")
    response = staff_client.get(url)
    assert response.status_code == 200


def test_topic_and_post_change_pages_show_counters_read_only(staff_client, topic_with_reply):
    response = staff_client.get(reverse("admin:forum_topic_change", args=[topic_with_reply.pk]))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.fields) == ["tags"]  # everything else is shown read-only

    post = topic_with_reply.posts.get(number=2)
    response = staff_client.get(reverse("admin:forum_post_change", args=[post.pk]))
    assert response.status_code == 200
    assert "A reply" in response.content.decode()
    assert list(response.context["adminform"].form.fields) == []


def test_user_change_page_has_profile_and_read_only_stats(staff_client, member):
    response = staff_client.get(reverse("admin:forum_user_change", args=[member.pk]))
    assert response.status_code == 200
    fields = response.context["adminform"].form.fields
    assert {"display_name", "avatar", "bio"} <= set(fields)
    assert not {"topic_count", "post_count", "upvotes_received"} & set(fields)


def test_topics_and_posts_cannot_be_added_or_hard_deleted(staff_client, topic_with_reply):
    assert staff_client.get(reverse("admin:forum_topic_add")).status_code == 403
    assert staff_client.get(reverse("admin:forum_post_add")).status_code == 403
    assert staff_client.get(reverse("admin:forum_topic_delete", args=[topic_with_reply.pk])).status_code == 403
    assert Topic.objects.filter(pk=topic_with_reply.pk).exists()


def test_pin_and_lock_actions_use_the_service(staff_client, topic_with_reply):
    url = reverse("admin:forum_topic_changelist")
    response = staff_client.post(url, {"action": "topic_pin", "_selected_action": [topic_with_reply.pk]},
                                 follow=True)
    assert response.status_code == 200
    assert "The topic is pinned." in response.content.decode()  # the verb's own line (forum.moderation.registry)
    staff_client.post(url, {"action": "topic_lock", "_selected_action": [topic_with_reply.pk]})
    topic_with_reply.refresh_from_db()
    assert topic_with_reply.is_pinned and topic_with_reply.is_locked


def test_hide_topic_action_updates_the_category_counter(staff_client, topic_with_reply):
    category = topic_with_reply.category
    assert Category.objects.get(pk=category.pk).topic_count == 1
    staff_client.post(reverse("admin:forum_topic_changelist"),
                      {"action": "topic_hide", "_selected_action": [topic_with_reply.pk]})
    assert Topic.objects.get(pk=topic_with_reply.pk).is_hidden
    assert Category.objects.get(pk=category.pk).topic_count == 0


def test_soft_delete_and_restore_post_actions(staff_client, topic_with_reply):
    reply = topic_with_reply.posts.get(number=2)
    url = reverse("admin:forum_post_changelist")
    staff_client.post(url, {"action": "post_delete", "_selected_action": [reply.pk]})
    reply.refresh_from_db()
    assert reply.is_deleted
    assert Topic.objects.get(pk=topic_with_reply.pk).reply_count == 0

    # Deleting it again is refused by the service, and the admin says so by name.
    response = staff_client.post(url, {"action": "post_delete", "_selected_action": [reply.pk]}, follow=True)
    assert f"{reply}: This post is already deleted." in response.content.decode()

    staff_client.post(url, {"action": "post_restore", "_selected_action": [reply.pk]})
    reply.refresh_from_db()
    assert not reply.is_deleted
    assert Topic.objects.get(pk=topic_with_reply.pk).reply_count == 1


def test_votes_are_read_only(staff_client, topic_with_reply):
    vote = PostVote.objects.get()
    response = staff_client.post(reverse("admin:forum_postvote_change", args=[vote.pk]), {"value": -1})
    assert response.status_code == 403
    assert staff_client.get(reverse("admin:forum_postvote_delete", args=[vote.pk])).status_code == 403
    assert PostVote.objects.get().value == 1


def test_category_colour_is_validated_in_the_list(staff_client, category):
    url = reverse("admin:forum_category_changelist")
    data = {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "1000",
        "form-0-id": str(category.pk), "form-0-position": "5", "form-0-color": "red;x:y",
        "_save": "Save",
    }
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "Use a hex colour such as #d9480f." in response.content.decode()
    assert Category.objects.get(pk=category.pk).color == "#d9480f"

    data["form-0-color"] = "#0A7F3C"
    response = staff_client.post(url, data)
    assert response.status_code == 302
    category.refresh_from_db()
    assert (category.position, category.color) == (5, "#0a7f3c")


def test_category_cannot_be_its_own_ancestor(staff_client):
    parent = Category.objects.create(name="Parent", slug="parent")
    child = Category.objects.create(name="Child", slug="child", parent=parent)
    response = staff_client.post(reverse("admin:forum_category_change", args=[parent.pk]), {
        "name": "Parent", "slug": "parent", "description": "", "color": "#d9480f", "parent": child.pk,
        "position": 0, "read_group": "", "post_group": "",
    })
    assert response.status_code == 200
    assert "A category cannot be inside itself." in response.content.decode()
    assert Category.objects.get(pk=parent.pk).parent_id is None


def _user_form_data(user, **extra):
    data = {
        "username": user.username, "display_name": "Shown Name", "email": user.email, "bio": "About me",
        "first_name": "", "last_name": "", "is_active": "on", "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }
    data.update(extra)
    return data


def test_avatar_uploaded_in_admin_is_checked_and_reencoded(staff_client):
    with translation.override("en"):
        user = UserFactory()
        url = reverse("admin:forum_user_change", args=[user.pk])
        bad = SimpleUploadedFile("evil.png", b"<?php echo 1; ?>", content_type="image/png")
        response = staff_client.post(url, _user_form_data(user, avatar=bad))
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert "avatar" in errors
        user.refresh_from_db()
        assert not user.avatar

        buf = io.BytesIO()
        Image.new("RGB", (300, 200), "blue").save(buf, "JPEG")
        good = SimpleUploadedFile("me.jpg", buf.getvalue(), content_type="image/jpeg")
        response = staff_client.post(url, _user_form_data(user, avatar=good))
        assert response.status_code == 302, response.context["adminform"].form.errors
        user.refresh_from_db()
        assert user.display_name == "Shown Name"
        assert user.avatar.name.endswith(".png")
        with user.avatar.open("rb") as f:
            image = Image.open(f)
            assert (image.format, image.size) == ("PNG", (256, 256))


def test_api_token_hash_is_read_only(staff_client, member):
    token = ApiToken.objects.create(user=member, name="cli", key_prefix="abcd1234", key_hash="f" * 64)
    response = staff_client.get(reverse("admin:forum_apitoken_change", args=[token.pk]))
    assert response.status_code == 200
    assert "f" * 64 in response.content.decode()
    assert staff_client.post(reverse("admin:forum_apitoken_change", args=[token.pk]),
                             {"key_hash": "0" * 64}).status_code == 403
    assert ApiToken.objects.get(pk=token.pk).key_hash == "f" * 64
    # Revoking (deleting) is allowed.
    response = staff_client.post(reverse("admin:forum_apitoken_delete", args=[token.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_social_applications_admin_offers_the_three_providers(staff_client):
    response = staff_client.get(reverse("admin:socialaccount_socialapp_add"))
    assert response.status_code == 200
    choices = {value for value, _label in response.context["adminform"].form.fields["provider"].choices}
    assert {"github", "weixin", "weibo"} <= choices

"""Groups in the JSON API: list and read (a hidden group is a 404 to outsiders), join, apply, and the
owners' and deputies' review and member actions, with the forum's error envelope; in the OpenAPI schema."""

import pytest
from django.test import Client

from config.api import api
from forum.groups.models import Application, Membership
from tests.factories import TopicFactory, UserFactory, add_member, make_group

pytestmark = pytest.mark.django_db


def _c(user=None):
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def _post(c, url, data=None):
    import json

    return c.post(url, json.dumps(data or {}), content_type="application/json")


@pytest.fixture
def a():
    w = type("W", (), {})()
    w.owner = UserFactory()
    w.main = make_group(name="主群", slug="main", owner=w.owner, visibility="members", questions=())
    w.sub = make_group(name="子群", slug="sub", parent=w.main, owner=w.owner, questions=("你的社区？",))
    w.open = make_group(name="开放组", slug="open", admission="open", owner=w.owner)
    w.hidden = make_group(name="隐藏组", slug="hidden", visibility="hidden", owner=w.owner)
    w.deputy = add_member(w.sub, UserFactory(), role="deputy")
    w.outsider = UserFactory()
    return w


def test_list_and_detail(a):
    slugs = [g["slug"] for g in _c().get("/api/v1/groups").json()]
    assert slugs.index("main") < slugs.index("sub") and "hidden" not in slugs
    detail = _c(a.deputy).get("/api/v1/groups/sub").json()
    assert detail["parent"] == "main" and detail["role"] == "deputy" and detail["can_manage"] is True
    assert detail["questions"] == ["你的社区？"] and detail["category"] == "g-sub"
    assert _c(a.outsider).get("/api/v1/groups/hidden").status_code == 404
    assert _c(a.outsider).get("/api/v1/groups/sub/members").status_code == 403


def test_join_apply_decide_and_act(a):
    joined = _post(_c(a.outsider), "/api/v1/groups/open/join")
    assert joined.status_code == 201 and joined.json()["role"] == "member"
    assert _post(_c(a.outsider), "/api/v1/groups/open/join").json()["error"]["code"] == "already_member"
    bad = _post(_c(a.outsider), "/api/v1/groups/sub/applications", {"answers": []})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "answer_0"
    applied = _post(_c(a.outsider), "/api/v1/groups/sub/applications", {"answers": ["三千人的技术群"]})
    assert applied.status_code == 201 and applied.json()["status"] == "pending"
    pending = _c(a.deputy).get("/api/v1/groups/sub/applications").json()
    assert [p["applicant"]["username"] for p in pending] == [a.outsider.username]
    app_id = applied.json()["id"]
    assert _post(_c(a.outsider), f"/api/v1/groups/sub/applications/{app_id}/decision",
                 {"decision": "approve"}).status_code == 403
    no_reason = _post(_c(a.deputy), f"/api/v1/groups/sub/applications/{app_id}/decision", {"decision": "reject"})
    assert no_reason.status_code == 400 and no_reason.json()["error"]["code"] == "reason_required"
    done = _post(_c(a.deputy), f"/api/v1/groups/sub/applications/{app_id}/decision",
                 {"decision": "approve", "reason": "欢迎"})
    assert done.status_code == 200 and done.json()["status"] == "approved"
    assert Application.objects.get(pk=app_id).status == "approved"
    TopicFactory.create(author=a.outsider, category=a.sub.category, title="加我微信领资料")
    kicked = _post(_c(a.deputy), f"/api/v1/groups/sub/members/{a.outsider.pk}/actions",
                   {"action": "kick_advertiser", "reason": "广告"})
    assert kicked.status_code == 200 and kicked.json()["posts_hidden"] == 1
    assert not Membership.objects.filter(group=a.sub, member=a.outsider).exists()
    mute = _post(_c(a.deputy), f"/api/v1/groups/sub/members/{a.deputy.pk}/actions", {"action": "mute"})
    assert mute.status_code in (400, 403)


def test_in_the_openapi_schema():
    paths = api.get_openapi_schema()["paths"]
    for path in ("/api/v1/groups", "/api/v1/groups/{slug}", "/api/v1/groups/{slug}/join",
                 "/api/v1/groups/{slug}/applications", "/api/v1/groups/{slug}/applications/{application_id}/decision",
                 "/api/v1/groups/{slug}/members/{member_id}/actions"):
        assert path in paths


def test_health_on_the_group_page_for_owners_only(a):
    member = add_member(a.sub, UserFactory())
    TopicFactory.create(author=member, category=a.sub.category, title="本周的一次分享")
    owner_page = _c(a.owner).get("/groups/sub/").content.decode()
    assert "小组健康度" in owner_page or "Group health" in owner_page
    member_page = _c(member).get("/groups/sub/").content.decode()
    assert "小组健康度" not in member_page and "Group health" not in member_page
    from forum.groups.selectors import health

    numbers = health(group=type(a.sub).objects.get(pk=a.sub.pk))
    assert numbers["members"] == 3 and numbers["active_week"] == 1 and numbers["posts_per_week"][-1] == 1

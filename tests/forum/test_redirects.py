"""One check for every next= redirect (forum.lib.redirects.safe_next), and the views that take next."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client, RequestFactory
from django.urls import reverse

from forum.lib.redirects import safe_next
from tests.factories import UserFactory

PAYLOADS = ["//evil.example", "/\\evil.example", "\\\\evil.example", "https:evil.example", "http://evil.example/",
            "https://evil.example/x", "///evil.example", "/%5Cevil.example", "%2F%2Fevil.example",
            "javascript:alert(1)", "data:text/html,x", " //evil.example", "\t//evil.example", "http:/\\evil.example"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_open_redirect_payloads_fall_back(payload):
    request = RequestFactory().get("/")
    target = safe_next(request, payload, "/fallback/")
    assert target == "/fallback/" or (target.startswith("/") and not target.startswith(("//", "/\\"))
                                      and "evil" not in target.split("/")[1]), target


@pytest.mark.parametrize("local", ["/t/1/x/", "/kol/?period=30", f"http://testserver{'/c/general/'}"])
def test_local_addresses_are_kept(local):
    assert safe_next(RequestFactory().get("/"), local, "/fallback/") == local


@pytest.mark.django_db
@pytest.mark.parametrize("payload", ["/\\evil.example", "//evil.example", "https:evil.example"])
def test_kol_decision_does_not_redirect_off_site(payload):
    moderator = UserFactory()
    moderator.groups.add(Group.objects.get(name="Moderators"))
    member = UserFactory()
    client = Client()
    client.force_login(moderator)
    response = client.post(reverse("kol:decide", args=[member.username]),
                           {"action": "dismiss", "reason": "not a fit", "next": payload})
    assert response.status_code == 302
    assert response["Location"] == reverse("kol:queue")


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://evil\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_export_cells_that_look_like_formulas_are_neutralised(text):
    import csv
    import io

    from forum.lib.exports import SafeWriter, safe_cell

    assert safe_cell(text) == "'" + text
    assert safe_cell(-5) == -5 and safe_cell(None) == "" and safe_cell("普通文本") == "普通文本"
    out = io.StringIO()
    SafeWriter(out).writerow([text, 3])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["'" + text, "3"]

"""The weekly digest by email: the editors' published digest plus the week's top topics the member
may read, to those who have not turned it off, exactly once per member even when a run crashes in
the middle and is started again."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from forum.models import Category
from mailings import services
from mailings.models import Frequency, Kind, MailSend
from tests.factories import CategoryFactory, TopicFactory, UserFactory

from .conftest import parts

pytestmark = pytest.mark.django_db


@pytest.fixture
def digest(db):
    from cms.models import DigestPage
    from cms.services import sections_ensure

    _home, _collections, digests = sections_ensure()
    week = timezone.localdate() - timezone.timedelta(days=timezone.localdate().weekday())
    page = DigestPage(title="活力周报 第 12 期", slug="w12", week_start=week, intro="本周的好讨论")
    digests.add_child(instance=page)
    page.save_revision().publish()
    return page


def test_digest_mail_with_top_topics_the_member_may_read(smtp, digest):
    from django.contrib.auth.models import Group

    UserFactory(username="reader")
    staffer = UserFactory(username="insider")
    staffer.groups.add(Group.objects.get(name="Moderators"))
    TopicFactory.create(category=CategoryFactory(), title="公开的好话题")
    secret = CategoryFactory(slug="staff-only")
    TopicFactory.create(category=secret, title="版主内部讨论")
    Category.objects.filter(pk=secret.pk).update(read_group=Group.objects.get(name="Moderators"))
    services.preferences_save(actor=UserFactory(username="quiet"), choices={Kind.DIGEST: Frequency.NEVER})
    out = io.StringIO()
    call_command("mail_digest", "--no-progress", stdout=out)
    assert "skipped 0, failed 0" in out.getvalue()
    assert smtp.to("quiet@example.com") == []
    text, html = parts(smtp.to("reader@example.com")[0])
    assert "活力周报 第 12 期" in text and "公开的好话题" in html and "版主内部讨论" not in text
    assert "https://huoli.example.org/" in text
    assert "版主内部讨论" in parts(smtp.to("insider@example.com")[0])[0]
    mail = smtp.to("reader@example.com")[0]
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


class Crash(BaseException):
    """Not an Exception: the process dies (as a kill would), the send loop does not catch it."""


def test_exactly_once_after_a_crash_in_the_middle(smtp, digest, monkeypatch):
    members = [UserFactory(username=f"m{i}") for i in range(6)]
    from django.core.mail.backends.smtp import EmailBackend

    real = EmailBackend.send_messages
    calls = {"n": 0}

    def dying(self, messages):
        calls["n"] += 1
        if calls["n"] == 4:
            raise Crash
        return real(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", dying)
    with pytest.raises(Crash):
        call_command("mail_digest", "--no-progress", stdout=io.StringIO())
    monkeypatch.setattr(EmailBackend, "send_messages", real)
    out = io.StringIO()
    call_command("mail_digest", "--no-progress", stdout=out)  # resumed
    call_command("mail_digest", "--no-progress", stdout=io.StringIO())  # and once more: nothing new
    counts = [len(smtp.to(m.email)) for m in members]
    assert max(counts) == 1 and sum(counts) == len(members) - 1  # the one in flight at the crash: not resent
    assert MailSend.objects.filter(key=f"digest:{digest.pk}").count() == len(members)
    assert "sent 2, skipped 4" in out.getvalue()


def test_retry_failed_sends_only_what_the_server_refused(smtp, digest, monkeypatch):
    members = [UserFactory(username=f"r{i}") for i in range(3)]
    from django.core.mail.backends.smtp import EmailBackend

    real = EmailBackend.send_messages

    def refusing(self, messages):
        if messages[0].to == ["r1@example.com"]:
            raise OSError("452 mailbox full")
        return real(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refusing)
    out = io.StringIO()
    call_command("mail_digest", "--no-progress", stdout=out)
    assert "sent 2, skipped 0, failed 1" in out.getvalue() and "--retry-failed" in out.getvalue()
    assert MailSend.objects.get(member=members[1], key=f"digest:{digest.pk}").status == MailSend.Status.FAILED
    monkeypatch.setattr(EmailBackend, "send_messages", real)
    call_command("mail_digest", "--no-progress", stdout=io.StringIO())  # without the flag: still failed
    assert smtp.to("r1@example.com") == []
    out = io.StringIO()
    call_command("mail_digest", "--no-progress", "--retry-failed", stdout=out)
    assert "sent 1, skipped 2, failed 0" in out.getvalue()
    assert [len(smtp.to(m.email)) for m in members] == [1, 1, 1]
    assert MailSend.objects.get(member=members[1], key=f"digest:{digest.pk}").status == MailSend.Status.SENT

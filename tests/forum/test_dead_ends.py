"""What a new member meets before the forum itself (issue 15): the sign-in form's placeholder, the
sign-up form's errors in Chinese, and the confirmation mail, which names the site from the Site
record (kept equal to SITE_NAME and SITE_URL after every migrate), not "example.com"."""

import re
from email.header import decode_header, make_header
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.sites.models import Site
from django.test import Client
from django.urls import reverse

from forum.lib.site import site_sync
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def chinese_client():
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


def placeholder(html):
    field = re.search(r'<input[^>]*name="login"[^>]*>', html).group(0)
    return re.search(r'placeholder="([^"]*)"', field).group(1)


# --- the Site record ---------------------------------------------------------------------------------
def test_the_site_record_follows_the_settings_after_migrate():
    site = Site.objects.get_current()
    assert site.pk == settings.SITE_ID
    assert (site.domain, site.name) == (urlsplit(settings.SITE_URL).netloc, settings.SITE_NAME)
    assert "example.com" not in (site.domain, site.name)


def test_site_sync_is_idempotent_and_follows_changed_settings(settings):
    assert site_sync() is False  # migrate already wrote it: nothing to do
    settings.SITE_URL, settings.SITE_NAME = "https://forum.huoli.example.cn/", "活力社区"
    assert site_sync() is True
    assert site_sync() is False
    site = Site.objects.get_current()
    assert (site.domain, site.name) == ("forum.huoli.example.cn", "活力社区")
    Site.objects.all().delete()
    Site.objects.clear_cache()
    assert site_sync() is True and Site.objects.get(pk=settings.SITE_ID).name == "活力社区"


def test_the_confirmation_mail_names_the_site_not_example_com(mailoutbox):
    client = chinese_client()
    response = client.post(reverse("account_signup"), {
        "email": "xiaoming@example.org", "username": "xiaoming",
        "password1": "a-long-unusual-passphrase-42", "password2": "a-long-unusual-passphrase-42"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    name, domain = settings.SITE_NAME, urlsplit(settings.SITE_URL).netloc
    assert mail.subject.startswith(f"[{name}] ")
    assert f"{name} 向你问好！" in mail.body and f"感谢你使用 {name}！\n{domain}" in mail.body
    assert "example.com" not in mail.subject + mail.body and "Hello" not in mail.body
    # named as mailings' mails are (forum.lib.site.mail_sender)
    assert str(make_header(decode_header(mail.from_email))).startswith(f"{name} <")


# --- the sign-in and sign-up forms in Chinese --------------------------------------------------------
def test_the_login_placeholder_says_username_or_email_in_chinese():
    html = chinese_client().get(reverse("account_login")).content.decode()
    assert placeholder(html) == "用户名或邮箱"
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert placeholder(english.get(reverse("account_login")).content.decode()) == "Username or email"


def test_signing_in_still_works_with_our_form():
    UserFactory(username="lihua", email="lihua@example.org", password="a-long-unusual-passphrase-42")
    client = chinese_client()
    response = client.post(reverse("account_login"), {"login": "lihua", "password": "a-long-unusual-passphrase-42"})
    assert response.status_code == 302
    wrong = chinese_client().post(reverse("account_login"), {"login": "lihua", "password": "wrong"})
    assert wrong.status_code == 200 and "不正确" in wrong.content.decode()


SIGNUP_ERRORS_ZH = [
    # (form data changes, a Chinese message the page must show, the English it must not)
    ({"password2": "something-else-entirely-7"}, "每次输入的密码必须相同", "You must type the same password"),
    ({"password1": "abc", "password2": "abc"}, "密码长度太短。密码必须包含至少 8 个字符。", "This password is too short"),
    ({"username": "li hua!"}, "请使用 3 到 30 个字母、数字、汉字、“_”或“-”。", "Use 3 to 30 letters"),
    ({"username": "taken"}, "已存在一位使用该名字的用户。", "A user with that username already exists"),
    ({"email": "not-an-email"}, "有效", "Enter a valid email address"),
]


@pytest.mark.parametrize("change, chinese, english", SIGNUP_ERRORS_ZH)
def test_signup_errors_are_chinese(change, chinese, english):
    UserFactory(username="taken", email="taken@example.org")
    data = {"email": "new@example.org", "username": "newcomer",
            "password1": "a-long-unusual-passphrase-42", "password2": "a-long-unusual-passphrase-42", **change}
    response = chinese_client().post(reverse("account_signup"), data)
    html = response.content.decode()
    assert response.status_code == 200 and 'lang="zh-Hans"' in html
    assert chinese in html, re.findall(r'<ul class="errorlist[^"]*"[^>]*>.*?</ul>', html, re.S)
    assert english not in html

"""Security hardening: the Content-Security-Policy on pages (strict for the forum, looser only for
the admins and the API docs), X-Frame-Options, Referrer-Policy, nosniff; production settings turn on
HSTS and secure cookies; sign-in attempts are throttled; weak passwords are refused."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from config.security import policy_for


def directives(header):
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.mark.django_db
def test_forum_pages_carry_a_strict_policy_and_headers(client):
    response = client.get("/")
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == "'self'" and "unsafe" not in policy["script-src"]
    assert policy["style-src"] == "'self'" and policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'self'" and policy["base-uri"] == "'self'"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in response.content.decode()


def test_looser_policies_are_scoped_to_the_admins_and_docs():
    assert "'unsafe-inline'" in directives(policy_for("/cms/pages/"))["script-src"]
    assert "'unsafe-inline'" in directives(policy_for("/admin/forum/"))["script-src"]
    assert "cdn.jsdelivr.net" in directives(policy_for("/api/v1/docs"))["script-src"]
    for path in ("/", "/mod/", "/t/1/x/", "/api/v1/topics", "/accounts/login/", "/cmsx/"):
        assert directives(policy_for(path))["script-src"] == "'self'", path


@pytest.mark.django_db
def test_a_view_policy_is_kept(client):
    from tests.factories import UserFactory

    user = UserFactory()
    response = client.get(f"/u/{user.username}/avatar.svg")
    assert response["Content-Security-Policy"].startswith("default-src 'none'")


def test_production_settings_harden_transport_and_cookies():
    env = {**os.environ, "HUOLI_ENV": "production", "SECRET_KEY": "Huoli-test-key-0123456789-abcdefghijklmnopqrstuvwxyz", "DEBUG": "false",
           "EMAIL_URL": "smtp+tls://mailer:pw@smtp.example.com:587", "DJANGO_SETTINGS_MODULE": "config.settings"}
    code = ("import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k) for k in "
            "['SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SESSION_COOKIE_SECURE', "
            "'CSRF_COOKIE_SECURE', 'SECURE_SSL_REDIRECT', 'SESSION_COOKIE_HTTPONLY', 'X_FRAME_OPTIONS', "
            "'SECURE_REFERRER_POLICY']}))")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR, capture_output=True,
                         text=True, check=True).stdout
    values = json.loads(out.strip().splitlines()[-1])
    assert values["SECURE_HSTS_SECONDS"] >= 31536000 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["SECURE_SSL_REDIRECT"]
    assert values["SESSION_COOKIE_HTTPONLY"] and values["X_FRAME_OPTIONS"] == "SAMEORIGIN"


def test_sign_in_attempts_are_throttled_and_passwords_validated():
    assert "login_failed" in settings.ACCOUNT_RATE_LIMITS
    for weak in ("12345678", "password", "abc"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("a-long-unusual-passphrase-42")


@pytest.mark.django_db
def test_failed_sign_ins_are_refused_after_the_limit(client, settings):
    from tests.factories import UserFactory

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    user = UserFactory()
    for _ in range(5):
        client.post("/accounts/login/", {"login": user.username, "password": "wrong"})
    response = client.post("/accounts/login/", {"login": user.username, "password": "correct-horse-battery"})
    assert "_auth_user_id" not in client.session  # even the right password is refused for now
    assert "Too many failed login attempts" in response.content.decode()

"""config/settings.py read under different environments.

Each case imports the settings in a fresh interpreter with a clean environment (only the variables
named here), so nothing from this test process, the shell or the machine leaks in. The server
switches are passed as empty strings when a case means "not set", which also wins over a
developer's local .env file (read with overwrite=False)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "Huoli-production-key-0123456789-abcdefghijklmnopqrstuvwxyz"
GOOD_MAIL = "smtp+tls://mailer:pw@smtp.example.com:587"
# The three server switches, passed as "" (which settings.py reads as "not set") unless a case names
# them, so that a developer's .env cannot turn them on here. Every other variable is simply left out
# of the environment unless a case names it.
UNSET = {"DATABASE_URL": "", "REDIS_URL": "", "ELASTICSEARCH_URL": ""}
# Read the settings the way Django does and print the interesting ones as JSON.
PROBE = """
import json
from django.conf import settings as s
out = {}
for name in %r:
    out[name] = getattr(s, name, "<unset>")
print(json.dumps(out, default=str))
"""


def load_settings(names, **env):
    clean = dict(UNSET)
    clean.update({
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(ROOT),
    })
    clean.update(env)
    proc = subprocess.run(
        [sys.executable, "-c", PROBE % (list(names),)],
        cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60,
    )
    return proc


def settings_for(names, **env):
    proc = load_settings(names, **env)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def refusal(**env):
    proc = load_settings(["DEBUG"], **env)
    assert proc.returncode != 0, f"settings loaded although they should refuse: {proc.stdout}"
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("django.core.exceptions.ImproperlyConfigured: "), proc.stderr
    return last.split(": ", 1)[1]


# --- production refuses unsafe settings --------------------------------------------------------


def _key_refusal(problem):
    return (
        "HUOLI_ENV=production 需要随机生成的 SECRET_KEY：至少 50 个字符、12 种以上不同字符，且不是示例或占位值；"
        f"当前的 SECRET_KEY {problem}。"
        'python -c "import secrets; print(secrets.token_urlsafe(50))" 可生成一个。'
        " (HUOLI_ENV=production needs a random SECRET_KEY of at least 50 characters with at least 12 distinct"
        " ones, not the example's or a placeholder.)"
    )


PLACEHOLDER = "它是示例或占位值 (it is the example's or a placeholder)"


def test_production_refuses_missing_secret_key():
    assert refusal(HUOLI_ENV="production") == _key_refusal(PLACEHOLDER)


def test_production_refuses_the_default_secret_key():
    assert refusal(HUOLI_ENV="production", SECRET_KEY="huoli-insecure-development-key-change-me") == (
        _key_refusal(PLACEHOLDER))


def test_production_refuses_the_env_example_placeholder():
    """A docker/.env copied from env.example and never edited: its 63-character placeholder used to pass."""
    example = (ROOT / "docker" / "env.example").read_text()
    line = next(line for line in example.splitlines() if line.startswith("SECRET_KEY="))
    key = line.split("=", 1)[1]
    assert len(key) >= 50
    assert refusal(HUOLI_ENV="production", SECRET_KEY=key) == _key_refusal(PLACEHOLDER)


def test_production_refuses_a_placeholder_word_in_a_long_key():
    key = "please-change-me-before-going-live-0123456789abcdefghij"
    assert refusal(HUOLI_ENV="production", SECRET_KEY=key) == _key_refusal(PLACEHOLDER)


def test_production_refuses_a_short_secret_key():
    assert refusal(HUOLI_ENV="production", SECRET_KEY="short-but-not-default-0123456789-abcdef") == (
        _key_refusal("只有 39 个字符 (only 39 characters)"))


def test_production_refuses_a_key_with_too_few_distinct_characters():
    assert refusal(HUOLI_ENV="production", SECRET_KEY="ab12" * 20) == (
        _key_refusal("只有 4 种不同字符 (only 4 distinct characters)"))


def test_production_takes_a_generated_key():
    import secrets

    for key in (secrets.token_urlsafe(50), secrets.token_hex(32)):
        s = settings_for(["SECRET_KEY"], HUOLI_ENV="production", SECRET_KEY=key, EMAIL_URL=GOOD_MAIL)
        assert s["SECRET_KEY"] == key


@pytest.mark.parametrize("value", ["true", "True", "1", "on", "yes"])
def test_production_refuses_debug_on(value):
    assert refusal(HUOLI_ENV="production", SECRET_KEY=GOOD_KEY, DEBUG=value) == (
        "HUOLI_ENV=production refuses to start with DEBUG on."
    )


MAIL_REFUSAL = ("HUOLI_ENV=production needs EMAIL_URL naming a real mail server (smtp://, smtp+tls:// or "
                "smtp+ssl://): without it account mail, password-reset links included, would be printed to the "
                "log or lost.")


@pytest.mark.parametrize("email_url", [None, "", "consolemail://", "filemail:///tmp/mail", "memorymail://",
                                       "dummymail://"])
def test_production_refuses_mail_that_is_not_delivered(email_url):
    env = {"HUOLI_ENV": "production", "SECRET_KEY": GOOD_KEY}
    if email_url is not None:
        env["EMAIL_URL"] = email_url
    assert refusal(**env) == MAIL_REFUSAL


def test_development_keeps_the_console_mail_backend():
    s = settings_for(["EMAIL_BACKEND"])
    assert s["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_production_hardening():
    s = settings_for(
        ["DEBUG", "PRODUCTION", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SESSION_COOKIE_SECURE",
         "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_HTTPONLY",
         "SECURE_CONTENT_TYPE_NOSNIFF", "STORAGES", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS"],
        HUOLI_ENV="production", SECRET_KEY=GOOD_KEY, EMAIL_URL=GOOD_MAIL,
        ALLOWED_HOSTS="forum.example.com,www.forum.example.com",
        CSRF_TRUSTED_ORIGINS="https://forum.example.com",
    )
    assert s["DEBUG"] is False
    assert s["PRODUCTION"] is True
    assert s["SECURE_HSTS_SECONDS"] == 31536000
    assert s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert s["SESSION_COOKIE_SECURE"] is True
    assert s["CSRF_COOKIE_SECURE"] is True
    assert s["SESSION_COOKIE_HTTPONLY"] is True
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert s["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert s["STORAGES"]["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert s["ALLOWED_HOSTS"] == ["forum.example.com", "www.forum.example.com"]
    assert s["CSRF_TRUSTED_ORIGINS"] == ["https://forum.example.com"]


def test_production_hsts_and_redirect_can_be_tuned():
    s = settings_for(["SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT"], HUOLI_ENV="production", SECRET_KEY=GOOD_KEY,
                     EMAIL_URL=GOOD_MAIL, SECURE_HSTS_SECONDS="3600", SECURE_SSL_REDIRECT="false")
    assert s == {"SECURE_HSTS_SECONDS": 3600, "SECURE_SSL_REDIRECT": False}


def test_development_has_no_hsts_or_secure_cookies():
    s = settings_for(["DEBUG", "PRODUCTION", "SECRET_KEY", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE",
                      "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT"])
    assert s == {
        "DEBUG": True, "PRODUCTION": False, "SECRET_KEY": "huoli-insecure-development-key-change-me",
        "SECURE_HSTS_SECONDS": 0, "SESSION_COOKIE_SECURE": False, "CSRF_COOKIE_SECURE": False,
        "SECURE_SSL_REDIRECT": False,
    }


# --- embedded defaults and the switches that replace them ------------------------------------


def test_no_servers_means_embedded_defaults():
    s = settings_for(["DATABASES", "CACHES", "CHANNEL_LAYERS", "CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL",
                      "SEARCH_BACKEND", "EMAIL_BACKEND", "BASE_DIR"])
    db = s["DATABASES"]["default"]
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == str(Path(s["BASE_DIR"]) / "db.sqlite3")
    assert s["CACHES"]["default"]["BACKEND"] == "forum.lib.cache.FailSoftCache"
    assert s["CACHES"]["default"]["OPTIONS"]["INNER_BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert s["CHANNEL_LAYERS"]["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"
    assert s["CELERY_TASK_ALWAYS_EAGER"] is True
    assert s["CELERY_BROKER_URL"] == "memory://localhost/"
    assert s["SEARCH_BACKEND"] == "database"
    assert s["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_sqlite_path_can_be_moved():
    s = settings_for(["DATABASES"], SQLITE_PATH="/tmp/elsewhere.sqlite3")
    assert s["DATABASES"]["default"]["NAME"] == "/tmp/elsewhere.sqlite3"


def test_database_url_selects_postgresql():
    s = settings_for(["DATABASES"], DATABASE_URL="postgres://huoli:s3cret@db.internal:5433/huoli_prod")
    db = s["DATABASES"]["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "huoli_prod", "huoli", "s3cret", "db.internal", 5433,
    )
    assert db["CONN_MAX_AGE"] == 60
    assert db["CONN_HEALTH_CHECKS"] is True


def test_redis_url_turns_on_redis_cache_channels_and_celery_broker():
    url = "redis://redis.internal:6379/3"
    s = settings_for(["CACHES", "CHANNEL_LAYERS", "CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER"], REDIS_URL=url)
    # every cache call goes through the fail-soft wrapper (forum.lib.cache), Redis behind it
    assert s["CACHES"]["default"]["BACKEND"] == "forum.lib.cache.FailSoftCache"
    assert s["CACHES"]["default"]["OPTIONS"]["INNER_BACKEND"] == "forum.lib.cache.ReusedClientRedisCache"
    assert s["CACHES"]["default"]["LOCATION"] == url
    assert s["CHANNEL_LAYERS"]["default"]["BACKEND"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    # a socket timeout longer than channels_redis' 5 s blocking read, or idle consumers crash
    assert s["CHANNEL_LAYERS"]["default"]["CONFIG"]["hosts"] == [{"address": url, "socket_timeout": 30}]
    # pub/sub channels ignore the database number: the default prefix names it instead
    assert s["CHANNEL_LAYERS"]["default"]["CONFIG"]["prefix"] == "huoli.db3"
    assert s["CELERY_BROKER_URL"] == url
    assert s["CELERY_TASK_ALWAYS_EAGER"] is False


def test_channel_layer_and_prefix_can_be_chosen():
    s = settings_for(["CHANNEL_LAYERS"], REDIS_URL="redis://r:6379/0", CHANNEL_LAYER="core",
                     CHANNELS_PREFIX="site2")
    assert s["CHANNEL_LAYERS"]["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    assert s["CHANNEL_LAYERS"]["default"]["CONFIG"]["prefix"] == "site2"
    s = settings_for(["CHANNEL_LAYERS"], REDIS_URL="redis://r:6379/0")
    assert s["CHANNEL_LAYERS"]["default"]["CONFIG"]["prefix"] == "huoli"


def test_celery_broker_can_differ_from_redis_url():
    s = settings_for(["CELERY_BROKER_URL"], REDIS_URL="redis://r:6379/0", CELERY_BROKER_URL="redis://r:6379/5")
    assert s["CELERY_BROKER_URL"] == "redis://r:6379/5"


def test_elasticsearch_url_selects_the_elasticsearch_backend():
    s = settings_for(["SEARCH_BACKEND", "ELASTICSEARCH_URL"], ELASTICSEARCH_URL="http://es.internal:9200")
    assert s == {"SEARCH_BACKEND": "elasticsearch", "ELASTICSEARCH_URL": "http://es.internal:9200"}


def test_email_url_selects_smtp():
    s = settings_for(
        ["EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS"],
        EMAIL_URL="smtp+tls://mailer%40example.com:p4ss@smtp.example.com:587",
    )
    assert s == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.com",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "mailer@example.com",
        "EMAIL_HOST_PASSWORD": "p4ss",
        "EMAIL_USE_TLS": True,
    }


def test_production_with_every_service_loads():
    s = settings_for(
        ["DATABASES", "CACHES", "CHANNEL_LAYERS", "SEARCH_BACKEND", "EMAIL_BACKEND", "CELERY_BEAT_SCHEDULER"],
        HUOLI_ENV="production", SECRET_KEY=GOOD_KEY, DATABASE_URL="postgres://huoli:x@postgres:5432/huoli",
        REDIS_URL="redis://redis:6379/0", ELASTICSEARCH_URL="http://elasticsearch:9200",
        EMAIL_URL="smtp+tls://u:p@smtp.example.com:587",
    )
    assert s["DATABASES"]["default"]["HOST"] == "postgres"
    assert s["CACHES"]["default"]["LOCATION"] == "redis://redis:6379/0"
    assert s["CHANNEL_LAYERS"]["default"]["BACKEND"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    assert s["SEARCH_BACKEND"] == "elasticsearch"
    assert s["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert s["CELERY_BEAT_SCHEDULER"] == "django_celery_beat.schedulers:DatabaseScheduler"

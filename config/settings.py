"""Huoli settings: one module, driven by environment variables.

Every integration has a switch and a safe embedded default so a fresh checkout runs with no
servers: no DATABASE_URL -> SQLite; no REDIS_URL -> local-memory cache, in-memory channel layer
and eager Celery; no ELASTICSEARCH_URL -> the database search backend.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEFAULT_SECRET_KEY = "huoli-insecure-development-key-change-me"
# docker/env.example's placeholder: a copied env.example that nobody edited must not run on a public key.
EXAMPLE_SECRET_KEY = "replace-me-with-50-random-characters-from-secrets-token-urlsafe"
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_DISTINCT = 12  # secrets.token_urlsafe(50) has about 40; a 64-digit hex key has 16
SECRET_KEY_PLACEHOLDER_WORDS = ("replace-me", "change-me", "changeme", "insecure", "example", "placeholder")


def secret_key_problem(key: str) -> str | None:
    """Why `key` is unfit to sign production sessions, or None."""
    lowered = key.lower()
    if key in (DEFAULT_SECRET_KEY, EXAMPLE_SECRET_KEY) or any(w in lowered for w in SECRET_KEY_PLACEHOLDER_WORDS):
        return "它是示例或占位值 (it is the example's or a placeholder)"
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"只有 {len(key)} 个字符 (only {len(key)} characters)"
    if len(set(key)) < SECRET_KEY_MIN_DISTINCT:
        return f"只有 {len(set(key))} 种不同字符 (only {len(set(key))} distinct characters)"
    return None


# HUOLI_ENV=production turns on the production checks and hardening.
HUOLI_ENV = env.str("HUOLI_ENV", default="development")
PRODUCTION = HUOLI_ENV == "production"
SECRET_KEY = env.str("SECRET_KEY", default=DEFAULT_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=not PRODUCTION)
TESTING = env.bool("HUOLI_TESTING", default=False)

if PRODUCTION:
    if (_problem := secret_key_problem(SECRET_KEY)) is not None:
        raise ImproperlyConfigured(
            f"HUOLI_ENV=production 需要随机生成的 SECRET_KEY：至少 {SECRET_KEY_MIN_LENGTH} 个字符、"
            f"{SECRET_KEY_MIN_DISTINCT} 种以上不同字符，且不是示例或占位值；当前的 SECRET_KEY {_problem}。"
            'python -c "import secrets; print(secrets.token_urlsafe(50))" 可生成一个。'
            f" (HUOLI_ENV=production needs a random SECRET_KEY of at least {SECRET_KEY_MIN_LENGTH} characters"
            f" with at least {SECRET_KEY_MIN_DISTINCT} distinct ones, not the example's or a placeholder.)"
        )
    if DEBUG:
        raise ImproperlyConfigured("HUOLI_ENV=production refuses to start with DEBUG on.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# the name members see in mails and titles (the django.contrib.sites record follows it and SITE_URL)
SITE_NAME = env.str("SITE_NAME", default="Huoli 活力")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.contrib.postgres",
    # third party
    "channels",
    "django_celery_beat",
    "django_htmx",
    "ninja",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.github",
    "allauth.socialaccount.providers.weixin",
    "allauth.socialaccount.providers.weibo",
    # wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # huoli, the core first
    "forum",
    "forum.groups",
    "engagement",
    "audit",
    "engagement.points",
    "engagement.levels",
    "engagement.checkin",
    "engagement.badges",
    "engagement.leaderboards",
    "engagement.polls",
    "engagement.lotteries",
    "engagement.events",
    "engagement.kol",
    "engagement.ladder",
    "engagement.lifecycle",
    "engagement.shop",
    "engagement.tips",
    "engagement.tasks",
    "engagement.bounties",
    "engagement.commissions",
    "engagement.follows",
    "engagement.console",
    "realtime",
    "search",
    "cms",
    "messaging",
    "mailings",
]

DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")  # see "database" below
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # every /api/ answer of 400 and above is the JSON error envelope (404, 405, 413, 500 ... too)
    "forum.lib.api_errors.ApiErrorEnvelopeMiddleware",
    "config.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # NUL bytes, lone surrogates and control characters in the path, query or body: 400 before any view
    "forum.lib.badtext.RefuseBadTextMiddleware",
    # a deadlock or serialization failure that outlived forum.lib.db.retry_transient: 503, not 500
    "forum.lib.db.TransientErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]
if DATABASE_REPLICA_URL:
    # outside the session middleware, so that a session saved by the response counts as a write
    MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
                      "config.replica.PrimaryPinMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "forum.context_processors.forum",
            ],
        },
    }
]

# --- database -------------------------------------------------------------------------------
DATABASE_URL = env.str("DATABASE_URL", default="")
if DATABASE_URL:
    DATABASES = {"default": env.db_url_config(DATABASE_URL)}
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env.str("SQLITE_PATH", default=str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
# A streaming replica (PostgreSQL): the read-only selectors of GET requests read from it, writes and
# everything after a member's write read from the primary (config/replica.py: read-your-writes for
# PRIMARY_PIN_SECONDS after a write).
PRIMARY_PIN_SECONDS = env.int("PRIMARY_PIN_SECONDS", default=15)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"].get("CONN_MAX_AGE", 0)
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    # the test database has no replica: the alias reads the test primary
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["config.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "forum.User"

# --- redis: cache, channel layer, celery ---------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# parallel test workers (pytest-xdist) share one Redis database: give each its own key prefix
_WORKER = env.str("PYTEST_XDIST_WORKER", default="") if TESTING else ""
if REDIS_URL:
    _redis_db = urlsplit(REDIS_URL).path.strip("/") or "0"
    _default_channels_prefix = "huoli" if _redis_db == "0" else f"huoli.db{_redis_db}"
    # forum.lib.cache.FailSoftCache wraps the real backend: with Redis unreachable, reads miss and
    # writes are skipped (logged once a minute) instead of answering 500 (README: "Redis outages").
    # Short socket timeouts, so a Redis that does not answer costs a request a second, not a minute.
    CACHES = {
        "default": {
            "BACKEND": "forum.lib.cache.FailSoftCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="huoli") + _WORKER,
            "OPTIONS": {
                "INNER_BACKEND": "forum.lib.cache.ReusedClientRedisCache",
                "socket_connect_timeout": env.float("CACHE_CONNECT_TIMEOUT", default=1.0),
                "socket_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=2.0),
            },
        }
    }
    # CHANNEL_LAYER=pubsub (default): one Redis PUBLISH per event and group, fanned out by each
    # server process to its own readers (bench/fanout.py: 1,000 readers on daphne, p50 ~5x faster
    # than "core", which stores a copy per process and wakes every reader through its own queue).
    # Pub/sub channels ignore the Redis database number, so the default prefix carries it
    # ("huoli" on db 0, "huoli.db11" on db 11): sites on different databases of one server stay
    # apart, as they did with the database-bound "core" layer.
    CHANNEL_LAYER_BACKENDS = {"pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
                               "core": "channels_redis.core.RedisChannelLayer"}
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": CHANNEL_LAYER_BACKENDS[env.str("CHANNEL_LAYER", default="pubsub")],
            # redis-py 8 gives up on a read after 5 s by default, exactly channels_redis' blocking
            # BZPOPMIN wait (core layer): without a longer socket timeout every idle consumer crashes
            # CHANNEL_REDIS_URLS (comma-separated) shards the layer over several Redis servers:
            # channels-redis hashes each group and channel name to one of them, so every live node
            # must list the same servers in the same order. Default: REDIS_URL alone.
            "CONFIG": {"hosts": [{"address": url, "socket_timeout": 30}
                                 for url in env.list("CHANNEL_REDIS_URLS", default=[REDIS_URL])],
                       "prefix": env.str("CHANNELS_PREFIX", default=_default_channels_prefix) + _WORKER},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "forum.lib.cache.FailSoftCache", "LOCATION": "huoli",
                          "OPTIONS": {"INNER_BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://localhost/")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# Delivery, in one place (docs: README "Faults"). A task is acknowledged only after it ran to the
# end (acks_late), and a worker killed mid-task (SIGKILL, OOM) gives its message back
# (reject_on_worker_lost), so another worker runs it again: tasks are idempotent. Each worker
# process reserves one message at a time (prefetch 1). Redis hands an unacknowledged message to
# another worker after the visibility timeout: minutes, not the default hour, and longer than the
# slowest task (the KOL scoring, under two minutes at 100k members). Effects owed after a commit
# also sit in the outbox (forum.outbox), swept every minute, so a broker that loses its queue
# loses nothing either.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=300)}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Queues per kind of work, so a bulk mailing or a scoring run never delays a notification: compose starts
# one worker per queue (CELERY_QUEUES in docker/entrypoint.sh); any node may run any of them.
#   interactive  what a member waits for: notifications, points, levels, live side effects, the outbox
#   bulk         many rows at once or mail in batches: search indexing, digests, recalls, sweeps, expiry
#   scoring      CPU-heavy recomputations (numpy/scipy): KOL scores, lifecycle classes, leaderboards
CELERY_TASK_DEFAULT_QUEUE = "interactive"
CELERY_TASK_ROUTES = {
    "engagement.kol.tasks.*": {"queue": "scoring"},
    "engagement.lifecycle.tasks.lifecycle_classify_task": {"queue": "scoring"},
    "engagement.levels.tasks.levels_recompute_all_task": {"queue": "scoring"},
    "engagement.badges.tasks.badges_backfill_task": {"queue": "scoring"},
    "engagement.leaderboards.tasks.*": {"queue": "scoring"},
    "engagement.points.tasks.points_verify_balances_task": {"queue": "scoring"},
    "search.tasks.*": {"queue": "bulk"},
    "cms.tasks.*": {"queue": "bulk"},
    "mailings.tasks.mail_send_due": {"queue": "bulk"},
    "engagement.lifecycle.tasks.recall_send_emails_task": {"queue": "bulk"},
    "realtime.tasks.topic_events_prune": {"queue": "bulk"},
    "*_overdue_task": {"queue": "bulk"},
}
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE: dict = {
    # cms: propose the weekly digest draft (Monday 08:00 site time); publish scheduled pages
    "cms-digest-propose": {"task": "cms.tasks.digest_propose_task",
                           "schedule": crontab(hour=8, minute=0, day_of_week="mon")},
    "cms-publish-scheduled": {"task": "cms.tasks.publish_scheduled_task", "schedule": 60},
    # realtime: drop topic events older than the catch-up window
    "realtime-prune-topic-events": {"task": "realtime.tasks.topic_events_prune", "schedule": 24 * 3600},
    # engagement: every cached points balance must equal its ledger sum (logs mismatches)
    "points-verify-balances": {"task": "engagement.points.tasks.points_verify_balances_task",
                               "schedule": 24 * 3600},
    # leaderboards: rebuild the Redis sorted sets from the period totals (repairs a lost update)
    "leaderboards-rebuild": {"task": "engagement.leaderboards.tasks.leaderboards_rebuild_task", "schedule": 3600},
    # polls and lotteries: close (and draw) those whose timed task was lost or late
    "polls-close-overdue": {"task": "engagement.polls.tasks.polls_close_overdue_task", "schedule": 60},
    # bounties: close those past their deadline (refund or split, by each bounty's rule)
    "bounties-expire-overdue": {"task": "engagement.bounties.tasks.bounties_expire_overdue_task", "schedule": 300},
    # commissions: close those past their due date that were never handed in
    "commissions-expire-overdue": {"task": "engagement.commissions.tasks.commissions_expire_overdue_task",
                                   "schedule": 900},
    "lotteries-close-overdue": {"task": "engagement.lotteries.tasks.lotteries_close_overdue_task", "schedule": 60},
    # the outbox: send again every after-commit effect not done by its deadline (forum.outbox)
    "forum-outbox-sweep": {"task": "forum.tasks.outbox_sweep", "schedule": env.int("OUTBOX_SWEEP_SECONDS", default=60)},
    # forum moderation: pins with an end date come down on time
    "forum-pins-expire": {"task": "forum.tasks.pins_expire_task", "schedule": 300},
    # KOL scores (every period, every category) and member lifecycle stages + recall returns, daily
    "kol-scores-compute": {"task": "engagement.kol.tasks.kol_scores_compute_task", "schedule": 24 * 3600},
    # member groups: recurring group sessions open their topic and remind the members (forum.groups.rhythm)
    "group-events-run": {"task": "forum.groups.tasks.group_events_run_task", "schedule": 300},
    # member groups: propose the members who qualify for their main group (engagement.ladder)
    "ladder-evaluate": {"task": "engagement.ladder.tasks.ladder_evaluate_task", "schedule": 24 * 3600},
    "lifecycle-classify": {"task": "engagement.lifecycle.tasks.lifecycle_classify_task", "schedule": 24 * 3600},
    # the operator's console: roll up yesterday's and today's facts (site calendar days), hourly
    "console-rollup": {"task": "engagement.console.tasks.console_rollup_task", "schedule": 3600},
    # email notifications: send what is due (immediate mails after their delay, daily and weekly summaries)
    "mailings-send-due": {"task": "mailings.tasks.mail_send_due", "schedule": 60},
}

# --- search -----------------------------------------------------------------------------------
ELASTICSEARCH_URL = env.str("ELASTICSEARCH_URL", default="")
# A cluster: several node addresses, comma-separated (the client spreads requests over them and retries
# another node when one fails); shards and replicas per index below.
ELASTICSEARCH_HOSTS = [url.strip() for url in ELASTICSEARCH_URL.split(",") if url.strip()]
SEARCH_BACKEND = env.str("SEARCH_BACKEND", default="elasticsearch" if ELASTICSEARCH_URL else "database")
ELASTICSEARCH_INDEX_PREFIX = env.str("ELASTICSEARCH_INDEX_PREFIX", default="huoli")
# CJK analysis: "auto" asks the cluster for analysis-ik / analysis-smartcn and falls back to the
# built-in cjk bigram chain; or name one: "ik", "smartcn", "cjk".
ELASTICSEARCH_CJK_ANALYZER = env.str("ELASTICSEARCH_CJK_ANALYZER", default="auto")
ELASTICSEARCH_SHARDS = env.int("ELASTICSEARCH_SHARDS", default=1)
ELASTICSEARCH_REPLICAS = env.int("ELASTICSEARCH_REPLICAS", default=0)
ELASTICSEARCH_CLIENT_OPTIONS = {"request_timeout": env.float("ELASTICSEARCH_TIMEOUT", default=10.0)}
# jieba writes its dictionary cache here on first use (must be writable; empty: the temp dir)
SEARCH_JIEBA_CACHE_DIR = env.str("SEARCH_JIEBA_CACHE_DIR", default="")

# --- auth -------------------------------------------------------------------------------------
SITE_ID = 1
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Django's rule with a message our catalogue translates (forum/password_validation.py)
    {"NAME": "forum.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "forum:index"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_USERNAME_MIN_LENGTH = 3
ACCOUNT_USERNAME_VALIDATORS = "forum.validators.username_validators"
SOCIALACCOUNT_PROVIDERS: dict = {}  # client ids and secrets are configured as SocialApps in the admin

# --- email ------------------------------------------------------------------------------------
_EMAIL_URL = env.str("EMAIL_URL", default="")  # empty counts as unset
EMAIL_CONFIG = env.email_url_config(_EMAIL_URL or "consolemail://")
vars().update(EMAIL_CONFIG)
# Backends that do not deliver: the console and file backends write every message (password-reset
# links and sign-in codes included) to the log or the disk; locmem and dummy drop them.
UNDELIVERED_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}
if PRODUCTION and (not _EMAIL_URL or EMAIL_CONFIG["EMAIL_BACKEND"] in UNDELIVERED_EMAIL_BACKENDS):
    raise ImproperlyConfigured(
        "HUOLI_ENV=production needs EMAIL_URL naming a real mail server (smtp://, smtp+tls:// or smtp+ssl://): "
        "without it account mail, password-reset links included, would be printed to the log or lost."
    )
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Huoli <noreply@huoli.local>")

# --- i18n -------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# --- static and media -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Member uploads go through Django's storage API (ImageField -> default_storage): MEDIA_ROOT by default
# (nginx serves it in docker/compose.yaml), or an S3-compatible bucket (AWS S3, MinIO, OSS, COS) with
# STORAGE_BACKEND=s3, which every web node then shares.
STORAGE_BACKEND = env.str("STORAGE_BACKEND", default="filesystem")
if STORAGE_BACKEND not in ("filesystem", "s3"):
    raise ImproperlyConfigured(f"STORAGE_BACKEND 只能是 filesystem 或 s3，而不是 {STORAGE_BACKEND!r}"
                               f" (STORAGE_BACKEND must be filesystem or s3, not {STORAGE_BACKEND!r}).")
if STORAGE_BACKEND == "s3":
    _S3_OPTIONS = {
        "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME", default="huoli-media"),
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
        "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
        "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
        "custom_domain": env.str("AWS_S3_CUSTOM_DOMAIN", default="") or None,
        "querystring_auth": env.bool("AWS_QUERYSTRING_AUTH", default=False),
        "file_overwrite": False,
        "location": "media",
    }
    _DEFAULT_STORAGE = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _S3_OPTIONS}
else:
    _DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- wagtail ----------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = SITE_NAME
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# --- forum ------------------------------------------------------------------------------------
HUOLI = {
    "TOPICS_PER_PAGE": 20,
    "POSTS_PER_PAGE": 20,
    "TITLE_MAX_LENGTH": 120,
    "TITLE_MIN_LENGTH": 4,
    "BODY_MAX_LENGTH": 20000,
    "BODY_MIN_LENGTH": 2,
    "AVATAR_MAX_BYTES": 2 * 1024 * 1024,
    "AVATAR_MAX_PIXELS": 2048,
    # images uploaded from the composer (forum.images.image_process): the largest file accepted, the
    # largest side accepted (pixels), and the longest side kept (larger images are scaled down)
    "UPLOAD_MAX_BYTES": env.int("UPLOAD_MAX_BYTES", default=5 * 1024 * 1024),
    "UPLOAD_MAX_PIXELS": env.int("UPLOAD_MAX_PIXELS", default=8000),
    "UPLOAD_KEEP_SIDE": 2560,
    # writes per member: (count, seconds)
    # member groups (forum.groups): applications one member may have waiting at once
    "GROUP_PENDING_APPLICATIONS_MAX": 3,
    "RATE_LIMITS": {
        "topic": (env.int("RATE_TOPICS_PER_HOUR", default=10), 3600),
        "post": (env.int("RATE_POSTS_PER_HOUR", default=60), 3600),
        "vote": (env.int("RATE_VOTES_PER_HOUR", default=300), 3600),
        "vote_day": (env.int("RATE_VOTES_PER_DAY", default=1000), 86400),
        "report": (env.int("RATE_REPORTS_PER_DAY", default=30), 86400),
        "mod_apply": (3, 86400),
        "upload": (env.int("RATE_UPLOADS_PER_HOUR", default=30), 3600),
        "group_apply": (10, 86400),  # joins of and applications to member groups (forum.groups)
        "group_manage": (300, 3600),  # a group owner's or deputy's admissions and member actions
        "follow": (60, 3600),  # follows of members, categories and tags (engagement.follows)
        # the composer (forum/composer): live previews and autosaved drafts, both debounced by the client
        "preview": (600, 3600),
        "draft": (600, 3600),
    },
    # moderation (forum/moderation): reports whose summed weight reaches this hide the post pending review
    "REPORT_AUTO_HIDE_WEIGHT": env.int("REPORT_AUTO_HIDE_WEIGHT", default=5),
    # approval queue: a member's first N posts wait for approval in categories that ask for it
    "APPROVAL_FIRST_POSTS": env.int("APPROVAL_FIRST_POSTS", default=1),
    # spam rules: more links than this, or the same text already posted in another topic (within
    # the window in hours), holds a post for approval (staff and moderators are exempt)
    "SPAM_MAX_LINKS": env.int("SPAM_MAX_LINKS", default=5),
    "SPAM_DUPLICATE_HOURS": env.int("SPAM_DUPLICATE_HOURS", default=24),
    "ANON_PAGE_CACHE_SECONDS": env.int("ANON_PAGE_CACHE_SECONDS", default=60),
    # the new-topic form asks this endpoint for similar topics while the member types (search app:
    # any-word relevance search, up to 5 topics)
    "TITLE_SUGGEST_URL": "/search/similar/",
    # the transactional outbox (forum.outbox): an after-commit effect not done this long after
    # it was owed is sent to Celery again by the sweep (beat, every OUTBOX_SWEEP_SECONDS)
    "OUTBOX_REDELIVER_SECONDS": env.int("OUTBOX_REDELIVER_SECONDS", default=120),
    # private messages (messaging/conf.py): members per conversation, the level needed to start one
    # (staff and moderators need none), conversations a member may start per day
    "PM_MAX_PARTICIPANTS": env.int("PM_MAX_PARTICIPANTS", default=8),
    "PM_MIN_LEVEL": env.int("PM_MIN_LEVEL", default=2),
    "PM_NEW_PER_DAY": env.int("PM_NEW_PER_DAY", default=10),
    # email notifications (mailings/conf.py): the wait before an "immediately" mail (no mail about
    # what the member has read on the site meanwhile), mails per SMTP connection, the summary hour
    "MAIL_IMMEDIATE_DELAY": env.int("MAIL_IMMEDIATE_DELAY", default=120),
    "MAIL_BATCH_SIZE": env.int("MAIL_BATCH_SIZE", default=200),
    "MAIL_SUMMARY_HOUR": env.int("MAIL_SUMMARY_HOUR", default=8),
}

# --- security ---------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
# Sessions are read from the cache and written to both (a signed-in page asked the database for its
# session on every request); with the cache down they are read from the database (FailSoftCache misses).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "SAMEORIGIN"
# config/security.py sends the Content-Security-Policy; CSP_REPORT_ONLY=true only reports violations
CSP_REPORT_ONLY = env.bool("CSP_REPORT_ONLY", default=False)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # password-reset and confirmation keys never reach the log (forum.lib.logredact)
    "filters": {"redact_secrets": {"()": "forum.lib.logredact.RedactSecretsFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

ACCOUNT_ADAPTER = "forum.adapters.AccountAdapter"
ACCOUNT_FORMS = {"login": "forum.account_forms.LoginForm"}  # our placeholder (用户名或邮箱)
SOCIALACCOUNT_ADAPTER = "forum.adapters.SocialAccountAdapter"

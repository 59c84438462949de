"""Masar settings: one module, every value from the environment with a safe default.

The defaults are the embedded stack (`make run`, `make test`): SQLite, an in-memory cache,
Celery running tasks eagerly, SMS printed to the console and the Nafath simulator mounted.
Production sets DATABASE_URL, REDIS_URL, SECRET_KEY and DEBUG=off (see docker-compose.yml);
`manage.py check --deploy` is clean there.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# The embedded default key is only ever valid with DEBUG on; check --deploy flags it otherwise.
SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-embedded-development-key-change-me")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "core.apps.CoreAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # widget templates for TemplatesSetting below
    "django_otp",
    "csp",
    "core",
    "accounts",
    "employment_records",
    "bayan",
    "grievances",
    "promotions",
    "job_audit",
    "cv",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A database, cache or broker outage is a 503 "try again" page, never a 500.
    "core.outages.OutageMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # django_otp's OTPMiddleware, reading the device only when a page asks (issue 16).
    "accounts.middleware.LazyOTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "core.middleware.WorkflowErrorMiddleware",
    "accounts.middleware.NoStoreWhenSignedInMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "masar.urls"
WSGI_APPLICATION = "masar.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            # Django's cached loader, one copy per language with its fixed translations
            # written in (core.template_loader).
            "loaders": [
                (
                    "core.template_loader.Loader",
                    [
                        "django.template.loaders.filesystem.Loader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "core.context_processors.workplaces",
                "core.context_processors.notifications",
            ],
        },
    }
]

# Widgets may use project templates (components/dual_calendar_widget.html).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Data ---------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend whose health check of a reused connection needs no query.
    DATABASES["default"]["ENGINE"] = "core.postgresql"
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if not env.bool("DB_PREPARED_STATEMENTS", default=True):
        # Behind a pooler that cannot keep prepared statements (PgBouncer in transaction
        # mode before 1.21): core.prepared's queries are then planned on every run.
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
# The cache gets its own Redis database, so clearing it never touches Celery's queues.
CACHE_URL = env.str("CACHE_URL", default=REDIS_URL)
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.redis_cache.RedisCache",  # one client per pool, not per call
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="masar"),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions live on the server (database, read through the cache: core.sessions), so sign-out
# really ends them and a request reads its session without a database query.
SESSION_ENGINE = "core.sessions"
SESSION_COOKIE_AGE = 8 * 60 * 60  # absolute lifetime; the idle timeout is enforced by accounts
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=15 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Accounts -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "dashboard"
# ModelBackend, with the signed-in user read through the cache (accounts.backends).
AUTHENTICATION_BACKENDS = ["accounts.backends.CachedModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "first_name", "last_name", "email")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# PBKDF2 costs ~0.8 s a check on these machines: tests may choose a fast hasher (env only).
if env.bool("FAST_PASSWORD_HASHER", default=False):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# A new mobile number receives no recovery code for this long after a change (or an admin's edit).
MOBILE_COOLING_HOURS = env.int("MOBILE_COOLING_HOURS", default=24)
# Where registration finds the mobile the civil registry links to an ID, and the ID's expiry.
CIVIL_REGISTRY_BACKEND = env.str(
    "CIVIL_REGISTRY_BACKEND", default="employment_records.civil_registry.EmployeeRegistryBackend"
)

SMS_BACKEND = env.str("SMS_BACKEND", default="console")
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_API_KEY = env.str("SMS_GATEWAY_API_KEY", default="")
SMS_SENDER_NAME = env.str("SMS_SENDER_NAME", default="Masar")
# The notification outbox (core.notifications): the relay's retry budget per row and its
# exponential backoff (base, 2 x base, ... up to the cap), then the sweep's re-drive of rows
# that failed while the gateway was away, every REDRIVE seconds up to MAX_AGE hours.
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=6)
NOTIFICATION_RETRY_BASE_SECONDS = env.float("NOTIFICATION_RETRY_BASE_SECONDS", default=5.0)
# Below the broker's visibility_timeout (120 s): a retry waiting longer would be delivered twice.
NOTIFICATION_RETRY_MAX_SECONDS = 90.0
NOTIFICATION_REDRIVE_SECONDS = env.int("NOTIFICATION_REDRIVE_SECONDS", default=600)
NOTIFICATION_MAX_AGE_HOURS = 24

# Off unless asked for (`make run` and the test suite turn it on): it signs anyone in by ID
# alone, so `check --deploy` errors when it is on (accounts.checks).
NAFATH_SIMULATOR = env.bool("NAFATH_SIMULATOR", default=False)
if NAFATH_SIMULATOR:
    INSTALLED_APPS += ["oauth2_provider", "nafath_sim"]
# The pension authority simulator (Bayan's delivery target, reached over HTTP only): off
# unless asked for (`make run` and the test suite turn it on); `check --deploy` errors when it
# is on (bayan.checks).
PENSION_SIMULATOR = env.bool("PENSION_SIMULATOR", default=False)
if PENSION_SIMULATOR:
    INSTALLED_APPS += ["pension_sim"]

# Two minimal pages for the throughput benchmarks (bench/throughput.py, bench/load.py), the floor
# the employee pages are compared with: /bench/anonymous and /bench/signed-in. Off unless asked
# for; they show nothing but "ok", yet production has no reason to serve them.
BENCH_VIEWS = env.bool("BENCH_VIEWS", default=False)

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "ar"
LANGUAGES = [("ar", _("Arabic")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# Arabic dates the Arabic way (masar/formats/ar): no Latin commas.
FORMAT_MODULE_PATH = ["masar.formats"]
TIME_ZONE = "Asia/Riyadh"
USE_TZ = True

# --- Static and private files -------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "var" / "private")))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # No base_url: private files are served only through views that check access.
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    # The manifest needs collectstatic, so only images built for production turn it on.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.bool("STATIC_MANIFEST", default=False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Without a manifest (development, tests) WhiteNoise serves straight from the app folders.
WHITENOISE_USE_FINDERS = not env.bool("STATIC_MANIFEST", default=False)
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
UPLOAD_MAX_FILES = env.int("UPLOAD_MAX_FILES", default=5)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Celery -------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# A worker process killed mid-task (OOM, SIGKILL) puts its message back on the queue at once,
# instead of acknowledging it as failed; tasks are idempotent, so a repeat costs nothing.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "core.tasks.deliver_notification": {"queue": "sms"},
    "core.tasks.relay_notifications": {"queue": "sms"},
    "*.tasks.render_*": {"queue": "documents"},
    "*.tasks.batch_*": {"queue": "batch"},
}
# A code request must never hang on a dead broker: bounded connect and publish retries. The
# person hears "try again" within 2 s even from a broker that accepts and never answers, so
# one read waits 1.5 s (still above the worker's 1 s BRPOP poll).
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 1.5,
    "max_retries": 1,
    "retry_on_timeout": False,
    # A message taken by a worker that died whole (no parent left to requeue it) is delivered
    # again after this many seconds. Longer than any task or retry countdown here (renders take
    # about a second), so a live worker's message is not delivered twice.
    "visibility_timeout": 120,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_BEAT_SCHEDULE: dict = {}
CELERY_BEAT_SCHEDULE["accounts-purge-stale-verifications"] = {
    "task": "accounts.tasks.purge_stale_verifications",
    "schedule": 3600,
}
# The outbox sweep: undelivered notifications are sent again (core.notifications.sweep).
CELERY_BEAT_SCHEDULE["sweep-notifications"] = {
    "task": "core.tasks.sweep_notifications",
    "schedule": 60.0,
}
# A document left pending (lost message, a broker that was down) is queued again after two
# minutes (core.documents.STALE_AFTER); checked every minute.
CELERY_BEAT_SCHEDULE["requeue-stale-documents"] = {
    "task": "core.tasks.requeue_stale_documents",
    "schedule": 60.0,
}
# Forms in progress (core.drafts) are kept this many days after their last change, then the
# nightly task deletes them with their files.
DRAFT_KEEP_DAYS = env.int("DRAFT_KEEP_DAYS", default=30)
CELERY_BEAT_SCHEDULE["delete-expired-drafts"] = {
    "task": "core.tasks.delete_expired_drafts",
    "schedule": crontab(hour=2, minute=30),
}
CELERY_TIMEZONE = TIME_ZONE

# --- Security -----------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# HTTPS=on behind the TLS-terminating proxy in production: redirects, secure cookies, HSTS.
HTTPS = env.bool("HTTPS", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_FAILURE_VIEW = "core.views.csrf_failure"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF, *env.list("CSP_FORM_ACTION_EXTRA", default=[])],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs every layout step and every unsupported CSS property at INFO/WARNING.
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Domain settings (DOMAIN.md: deadlines are per-category settings) -----------------------
CORRECTION_SLA_DAYS = env.int("CORRECTION_SLA_DAYS", default=30)
GRIEVANCE_FILING_DAYS = env.dict(
    "GRIEVANCE_FILING_DAYS", cast={"value": int}, default={"default": 60, "performance": 15}
)
GRIEVANCE_ANSWER_DAYS = env.int("GRIEVANCE_ANSWER_DAYS", default=60)
# Grievances (issue 6): daily at 06:00 Riyadh, flag grievances past their answer date and tell
# the entity's HR lead (the batch_ name routes it to the batch queue).
CELERY_BEAT_SCHEDULE["grievances-flag-overdue"] = {
    "task": "grievances.tasks.batch_flag_overdue_grievances",
    "schedule": crontab(hour=6, minute=0),
}
# Promotions (issue 10): rounds open and close by their window's times, checked every minute.
CELERY_BEAT_SCHEDULE["promotions-advance-rounds"] = {
    "task": "promotions.tasks.batch_advance_rounds",
    "schedule": 60.0,
}
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Bayan: end-of-service statements and their delivery to the pension authority ----------
# A statement is due this many days after the end of service (the HR work list puts overdue
# ones first).
BAYAN_DUE_DAYS = env.int("BAYAN_DUE_DAYS", default=30)
# Where approved statements are POSTed (JSON + the PDF, an Idempotency-Key header). The
# default is the simulator mounted by PENSION_SIMULATOR; a real authority is configuration.
PENSION_API_URL = env.str(
    "PENSION_API_URL",
    default=f"{SITE_URL}/pension-sim/api/statements/" if PENSION_SIMULATOR else "",
)
PENSION_API_TOKEN = env.str("PENSION_API_TOKEN", default="")  # sent as a Bearer token when set
PENSION_API_TIMEOUT = env.float("PENSION_API_TIMEOUT", default=10.0)  # seconds per attempt
PENSION_MAX_ATTEMPTS = env.int("PENSION_MAX_ATTEMPTS", default=8)  # then HR is told it failed
# The simulator's own check of the token (empty: it accepts anyone).
PENSION_SIM_TOKEN = env.str("PENSION_SIM_TOKEN", default=PENSION_API_TOKEN)
# Re-drive deliveries left waiting (a lost task, a dead worker) every five minutes.
CELERY_BEAT_SCHEDULE["bayan-redrive-deliveries"] = {
    "task": "bayan.tasks.batch_redrive_deliveries",
    "schedule": 300.0,
}


# --- Nafath: OpenID Connect relying party (accounts/oidc.py) and its simulator --------------
# The portal signs people in with any standards-compliant OpenID Connect provider. Endpoints
# come from <issuer>/.well-known/openid-configuration (fetched and cached) unless set here.
# Every value is read at request time, so tests can change them with the `settings` fixture.
NAFATH_OIDC_ISSUER = env.str(
    "NAFATH_OIDC_ISSUER", default=f"{SITE_URL}/nafath" if NAFATH_SIMULATOR else ""
)
NAFATH_OIDC_CLIENT_ID = env.str("NAFATH_OIDC_CLIENT_ID", default="masar-portal")
# The simulator's development secret is the default only while the simulator is mounted.
NAFATH_OIDC_CLIENT_SECRET = env.str(
    "NAFATH_OIDC_CLIENT_SECRET",
    default="masar-simulator-secret-change-me" if NAFATH_SIMULATOR else "",
)
NAFATH_OIDC_SCOPES = env.str("NAFATH_OIDC_SCOPES", default="openid national_id")
NAFATH_OIDC_NATIONAL_ID_CLAIM = env.str("NAFATH_OIDC_NATIONAL_ID_CLAIM", default="national_id")
# Explicit endpoints win over discovery (for providers without it); empty = discovered.
NAFATH_OIDC_AUTHORIZATION_ENDPOINT = env.str("NAFATH_OIDC_AUTHORIZATION_ENDPOINT", default="")
NAFATH_OIDC_TOKEN_ENDPOINT = env.str("NAFATH_OIDC_TOKEN_ENDPOINT", default="")
NAFATH_OIDC_USERINFO_ENDPOINT = env.str("NAFATH_OIDC_USERINFO_ENDPOINT", default="")
NAFATH_OIDC_JWKS_ENDPOINT = env.str("NAFATH_OIDC_JWKS_ENDPOINT", default="")
NAFATH_OIDC_END_SESSION_ENDPOINT = env.str("NAFATH_OIDC_END_SESSION_ENDPOINT", default="")
# How the portal authenticates at the token endpoint: client_secret_post or client_secret_basic.
NAFATH_OIDC_TOKEN_AUTH = env.str("NAFATH_OIDC_TOKEN_AUTH", default="client_secret_post")
NAFATH_OIDC_SIGN_ALGS = env.list("NAFATH_OIDC_SIGN_ALGS", default=["RS256"])
NAFATH_OIDC_LEEWAY = env.int("NAFATH_OIDC_LEEWAY", default=30)  # seconds of clock skew
NAFATH_OIDC_TIMEOUT = env.int("NAFATH_OIDC_TIMEOUT", default=5)  # seconds per HTTP call
NAFATH_OIDC_CACHE_SECONDS = env.int("NAFATH_OIDC_CACHE_SECONDS", default=3600)  # discovery, JWKS
AUTHENTICATION_BACKENDS += ["accounts.oidc.NafathBackend"]
# mozilla-django-oidc's own settings (its views read these; endpoints come from accounts.oidc).
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc:callback"
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_USE_NONCE = True
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_STORE_ID_TOKEN = True  # the id_token_hint for signing out at the provider
OIDC_REDIRECT_REQUIRE_HTTPS = HTTPS
# A form that redirects to the provider is checked against form-action (Chrome): allow its origin.
if NAFATH_OIDC_ISSUER:
    from urllib.parse import urlsplit as _urlsplit

    _issuer = _urlsplit(NAFATH_OIDC_ISSUER)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(
        f"{_issuer.scheme}://{_issuer.netloc}"
    )

# The simulator (NAFATH_SIMULATOR=on): its signing key and the portal's client registration.
NAFATH_SIM_PRIVATE_KEY = env.str("NAFATH_SIM_PRIVATE_KEY", default="", multiline=True)
NAFATH_SIM_KEY_FILE = env.str(
    "NAFATH_SIM_KEY_FILE", default=str(BASE_DIR / "var" / "nafath_sim_key.pem")
)
NAFATH_SIM_ISSUER = env.str("NAFATH_SIM_ISSUER", default="")  # empty: derived from the request
NAFATH_SIM_REQUEST_TTL = env.int("NAFATH_SIM_REQUEST_TTL", default=60)
NAFATH_SIM_CLIENT_ID = env.str("NAFATH_SIM_CLIENT_ID", default=NAFATH_OIDC_CLIENT_ID)
NAFATH_SIM_CLIENT_SECRET = env.str("NAFATH_SIM_CLIENT_SECRET", default=NAFATH_OIDC_CLIENT_SECRET)
# The portal as the simulator knows it: SITE_URL, and its localhost twin for a browser that
# opened the other name of the same machine.
_PORTAL_URLS = list(dict.fromkeys([SITE_URL, SITE_URL.replace("://127.0.0.1", "://localhost")]))
NAFATH_SIM_REDIRECT_URIS = env.list(
    "NAFATH_SIM_REDIRECT_URIS", default=[f"{url}/oidc/callback/" for url in _PORTAL_URLS]
)
NAFATH_SIM_POST_LOGOUT_REDIRECT_URIS = env.list(
    "NAFATH_SIM_POST_LOGOUT_REDIRECT_URIS", default=[f"{url}/" for url in _PORTAL_URLS]
)

# How many reverse proxies in front of the web process append to X-Forwarded-For; the client's
# address (rate limits, audit log) is the hop that many places from the right. 0: the peer
# address (REMOTE_ADDR) and X-Forwarded-For is ignored, since anyone can write it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# /verify/<code>/ is public: this many look-ups per address and minute.
VERIFY_RATE_LIMIT = env.int("VERIFY_RATE_LIMIT", default=20)

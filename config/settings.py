"""One settings module for every environment, read from the environment.

Development defaults apply only while DEBUG is on; with DEBUG off a missing SECRET_KEY or
ALLOWED_HOSTS stops the process at start-up instead of running with an unsafe default.
"""

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no).")


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number.") from None


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}.")
    return value


def env_json_object(name: str) -> dict:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ImproperlyConfigured(f"{name} is not valid JSON: {exc}") from None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ImproperlyConfigured(f"{name} must be a JSON object of string parameters.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_proxy_ssl_header(name: str) -> tuple[str, str] | None:
    """`HTTP_X_FORWARDED_PROTO,https` → the pair Django wants; only behind a proxy that sets
    (and strips from clients) that header, or anyone can claim HTTPS."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    header, sep, value = (part.strip() for part in raw.partition(","))
    if not sep or not header.startswith("HTTP_") or not value:
        raise ImproperlyConfigured(
            f"{name}={raw!r}: use HEADER,VALUE e.g. HTTP_X_FORWARDED_PROTO,https"
        )
    return header, value


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# HTTPS. With DEBUG off everything is on by default, so that `manage.py check --deploy` is clean
# with nothing but SECRET_KEY and ALLOWED_HOSTS set; each can be turned off from the environment
# (e.g. SECURE_SSL_REDIRECT=0 when the proxy in front already redirects).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The site's own files only (config/middleware.py): no inline script or style anywhere, images
# also as data: URIs (Swagger UI's icons). Not configurable: a page that needs more is a bug.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Behind a TLS-terminating proxy: e.g. HTTP_X_FORWARDED_PROTO,https (unset: no proxy trusted).
SECURE_PROXY_SSL_HEADER = env_proxy_ssl_header("SECURE_PROXY_SSL_HEADER")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "trials",
    "evidence",
]

MIDDLEWARE = [
    # First, so that every log line of a request, its refusal by the guard included, has its id.
    "config.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads a parameter: refuses control characters and unbounded repeats.
    "trials.browsing.query_guard.QueryGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: answers a locked-out login with its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# Unset DATABASE_URL means an SQLite file in the project folder, so a newcomer needs no server.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
    )
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production serves what `manage.py collectstatic` gathered into STATIC_ROOT, compressed. Not the
# manifest (hashed names) storage: that would make every page fail until collectstatic has run,
# tests included.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# With DEBUG on (make run), serve straight from the apps' static folders: no collectstatic needed.
WHITENOISE_USE_FINDERS = DEBUG

# The read-only API (trials/browsing/api/): anonymous, JSON first, the browsable view for people.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ALS cell-therapy trial tracker API",
    "DESCRIPTION": (
        "Read-only access to the trials of the tracker. The list takes the same filter "
        "parameters as the /trials/ page; its items carry the export columns."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The docs pages load their JavaScript from our static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No badge fetched from the online validator.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    # The five *_origin fields share one vocabulary: name it once.
    "ENUM_NAME_OVERRIDES": {"LabelOriginEnum": ["auto", "curated"]},
    # The filters' bounds, which drf-spectacular does not read (trials/browsing/api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "trials.browsing.api.schema.declare_bounds",
    ],
}

# Everything to standard error (the systemd journal in production), each line with the request
# id (config/middleware.py). django.request logs every 5xx with its traceback and every 4xx as a
# warning; django.security the refused requests (bad Host headers, oversized uploads…).
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.middleware.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "loggers": {
        "trials": {"handlers": ["console"], "level": LOG_LEVEL},
        "evidence": {"handlers": ["console"], "level": LOG_LEVEL},
        # Not propagated: Django's own "django" handlers would print them a second time.
        "django.request": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.security": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
    },
}

# ClinicalTrials.gov API v2 (the live sync; see trials/registries/ctgov/README.md).
CTGOV_API_URL = os.environ.get("CTGOV_API_URL", "https://clinicaltrials.gov/api/v2")
# The registry query the sync uses; empty means trials.registries.ctgov.client.DEFAULT_QUERY.
# A JSON object of API v2 parameters, e.g. {"query.cond": "ALS", "query.intr": "stem cell"}.
CTGOV_QUERY = env_json_object("CTGOV_QUERY")
CTGOV_PAGE_SIZE = env_int("CTGOV_PAGE_SIZE", 1000, minimum=1)
# Classify the next page in a worker process while this one is written
# (trials/importing/pipeline.py); 0 keeps a sync in one process.
CTGOV_CLASSIFY_AHEAD = env_bool("CTGOV_CLASSIFY_AHEAD", True)
# An incremental run starts this many days before the last successful run's watermark.
CTGOV_SYNC_OVERLAP_DAYS = env_int("CTGOV_SYNC_OVERLAP_DAYS", 2)
# The registry client's manners (trials/registries/ctgov/README.md): timeouts and waits in seconds.
CTGOV_TIMEOUT = env_float("CTGOV_TIMEOUT", 30.0)
CTGOV_MAX_RETRIES = env_int("CTGOV_MAX_RETRIES", 5)
CTGOV_BACKOFF_BASE = env_float("CTGOV_BACKOFF_BASE", 1.0)
CTGOV_BACKOFF_MAX = env_float("CTGOV_BACKOFF_MAX", 60.0)
CTGOV_MAX_TOTAL_WAIT = env_float("CTGOV_MAX_TOTAL_WAIT", 300.0)
CTGOV_MIN_INTERVAL = env_float("CTGOV_MIN_INTERVAL", 1.0)
# Registry data older than this is stale: `import_health` fails and the home page warns.
IMPORT_MAX_AGE_HOURS = env_float("IMPORT_MAX_AGE_HOURS", 36.0)
# A study file or recorded page larger than this is rejected unread
# (trials/registries/ctgov/files.py).
# Files are streamed, so the limit bounds the time one file takes, not the memory.
IMPORT_FILE_MAX_MB = env_int("IMPORT_FILE_MAX_MB", 1024, minimum=1)

LOGIN_URL = "admin:login"

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from
# one address, that pair is refused, right password or not, for AXES_COOLOFF_MINUTES (each
# further try starts the wait again); `manage.py axes_reset_username NAME` lifts it early.
# Per username *and* address, so that a stranger cannot lock a curator out from elsewhere, nor a
# colleague's typos lock out a whole office behind one address.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_MINUTES = env_float("AXES_COOLOFF_MINUTES", 15.0)
AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.views.locked_out"
# The client's address: REMOTE_ADDR, or behind a proxy the header it sets and strips from clients
# (e.g. HTTP_X_REAL_IP); otherwise every visitor would share the proxy's address.
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "").strip()
if CLIENT_IP_HEADER and not CLIENT_IP_HEADER.startswith("HTTP_"):
    raise ImproperlyConfigured(f"CLIENT_IP_HEADER={CLIENT_IP_HEADER!r}: use e.g. HTTP_X_REAL_IP")
AXES_CLIENT_IP_CALLABLE = "config.middleware.client_ip"

"""Settings of the Fabrique à initiatives platform, read from the environment.

Nothing set: an SQLite file, eager Celery, console e-mail, DEBUG off. `make run` asks for DEBUG.
`DATABASE_URL` switches to PostgreSQL, `CELERY_BROKER_URL` (or `REDIS_URL`) to Redis as broker and cache.
`FABRIQUE_ENV=production` refuses to start without `SECRET_KEY` and `ALLOWED_HOSTS`.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from fabrique.storage import file_storage_from_env

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = env_str(name)
    if not value:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} doit valoir true ou false, pas {value!r}.")


def env_int(name: str, default: int) -> int:
    value = env_str(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} doit être un nombre entier, pas {value!r}.") from exc


def env_list(name: str) -> list[str]:
    return [item.strip() for item in env_str(name).split(",") if item.strip()]


PRODUCTION = env_str("FABRIQUE_ENV", "development") == "production"
DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if PRODUCTION:
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY est obligatoire en production (FABRIQUE_ENV=production).")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS est obligatoire en production (FABRIQUE_ENV=production).")
    if DEBUG:
        raise ImproperlyConfigured("DEBUG ne peut pas être activé en production.")
else:
    # A development key only: production refuses to start without its own.
    SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-for-the-fabrique-platform-do-not-use-in-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "testserver"]

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_filters",
    "django_htmx",
    "import_export",
    "simple_history",
    "fabrique",
    "network",
    "programmes",
    "projects",
    "partnerships",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "fabrique.security_headers.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "fabrique.accounts.middleware.StaffTOTPRequiredMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Who made each change, for the audit trail (after authentication, which it reads).
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "fabrique.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # « 1er janvier »: the French date filter is available in every template (fabrique/templatetags).
            "builtins": ["fabrique.templatetags.french_dates"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "fabrique.wsgi.application"

# Database: an SQLite file unless DATABASE_URL names PostgreSQL.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 60))}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A server that does not answer at all (rather than refusing) fails a request in 5 s, not a hang.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH") or BASE_DIR / "db.sqlite3",
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "fabrique.User"
AUTHENTICATION_BACKENDS = [
    # allauth's, loading with the user whether they have TOTP (fabrique/accounts/backends.py); the two
    # others keep open sessions valid.
    "fabrique.accounts.backends.AccountBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"

# django-allauth: login by e-mail, no open sign-up (staff invite people: fabrique/accounts/), a verified
# address before the first login (following an invitation verifies it), TOTP required for staff.
ACCOUNT_ADAPTER = "fabrique.accounts.adapter.ClosedSignupAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = None
# Attempts per minute (m) or per 5 minutes (5m), counted per IP address, per account (user) or per
# e-mail address typed (key). A blocked attempt answers 429 (templates/429.html).
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reauthenticate": "10/m/user",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "signup": "20/m/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Fabrique à initiatives"
# Days an invitation link stays valid after it was (last) sent.
INVITATION_MAX_AGE_DAYS = env_int("INVITATION_MAX_AGE_DAYS", 7)

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("Anglais"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")
# Uploaded documents, fiches and booklets: MEDIA_ROOT, or an S3-compatible bucket when FABRIQUE_S3_BUCKET is
# set (see fabrique/storage.py), so that web servers and workers on several machines share them.
STORAGES = {
    "default": file_storage_from_env(os.environ),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Django 6 behaviour now: a URL typed without a scheme is taken as https.
FORMS_URLFIELD_ASSUME_HTTPS = True

FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Redis as broker and cache when configured; otherwise eager tasks and a local-memory cache.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or env_str("REDIS_URL")
REDIS_URL = env_str("REDIS_URL") or CELERY_BROKER_URL
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Sending a task tries twice, not four times: tasks are sent after a request's commit, and a broker that is
# down must not hold the response (see CELERY_BROKER_TRANSPORT_OPTIONS below). The second try reconnects a
# pooled connection broken by a Redis restart.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Fiches whose build was never sent or got lost (Redis down or restarted empty, worker killed) are queued
# again by this periodic task, run by celery beat (the `beat` service of docker-compose.yml), and by every
# worker at start (fabrique/celery.py).
CELERY_BEAT_SCHEDULE = {
    "requeue-pending-fiches": {
        "task": "projects.requeue_pending_fiches",
        "schedule": env_int("FICHE_REQUEUE_SECONDS", 60),
    },
    # Decision letters whose build was never sent or got lost, the same way (network/tasks.py).
    "requeue-pending-letters": {"task": "network.requeue_pending_letters", "schedule": 300},
}
# Fiches per booklet task: small enough to share a booklet among the workers, large enough that the
# per-task overhead stays small (see docs/benchmarks.md).
BOOKLET_CHUNK_SIZE = env_int("BOOKLET_CHUNK_SIZE", 10)
# Opinions a peer committee needs before the staff may record its decision on an application.
APPELLATION_QUORUM = env_int("APPELLATION_QUORUM", 3)
# Spreadsheet imports: the largest file accepted, and the number of rows above which the import runs as a
# Celery task with its progress shown.
SPREADSHEET_MAX_BYTES = env_int("SPREADSHEET_MAX_BYTES", 5 * 1024 * 1024)
IMPORT_BACKGROUND_ROWS = env_int("IMPORT_BACKGROUND_ROWS", 1000)

if REDIS_URL:
    # Short socket timeouts: a stalled Redis must not hold a request (or the health check) for long.
    CACHES = {
        "default": {
            # Redis's errors read as cache misses: a page never fails because its cache is down.
            "BACKEND": "fabrique.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    # Two tries to send a task (CELERY_TASK_PUBLISH_RETRY_POLICY), each cut after 1 s: a Redis that is down
    # costs a request nothing noticeable, one that hangs about 3 s (tests/test_faults.py). A healthy local
    # Redis answers in a millisecond; the worker's waits for messages are not socket reads.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
    CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Fabrique à initiatives <ne-pas-repondre@avise.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security: strict defaults in production, which `manage.py check --deploy` verifies.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Browser features no page uses, refused to every page and to whatever it might embed
# (fabrique/security_headers.py sends the header).
PERMISSIONS_POLICY = [
    "accelerometer=()",
    "camera=()",
    "geolocation=()",
    "gyroscope=()",
    "magnetometer=()",
    "microphone=()",
    "payment=()",
    "usb=()",
]
# Uploaded documents (projects, appellation dossiers, agreements, mission reports): the largest accepted;
# each is also checked by its content (fabrique/uploads.py).
PROJECT_DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
# The audit trail (django-simple-history): staff read it in the admin's « Historique », never revert from it.
SIMPLE_HISTORY_REVERT_DISABLED = True
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every rendering step at INFO ("Step 2 - Fetching and parsing CSS"): keep its warnings.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}

# The network map (/reseau/carte/): the tile server its Leaflet map loads, and the credit it requires.
MAP_TILE_URL = env_str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env_str(
    "MAP_TILE_ATTRIBUTION", '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
)


def tile_origin(url: str) -> str:
    """The origin the map's tiles come from, for the CSP: a `{s}` subdomain placeholder becomes `*`."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"


# Content-Security-Policy (django-csp): our own scripts and style sheets only, never inline code. The one
# exception is a nonce, written only into the pages that ask for it (the staff's HTML preview of a fiche
# shares the PDF's inline <style>); a page that does not use it sends no nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", tile_origin(MAP_TILE_URL)],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

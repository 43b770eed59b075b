"""One settings file, driven by environment variables (see README "Configuration")."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def env_date(name: str) -> date | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an ISO date (YYYY-MM-DD), got {raw!r}") from exc


TESTING = "pytest" in sys.modules
DEBUG = env_bool("BANGFU_DEBUG")
DEMO = env_bool("BANGFU_DEMO")
DATA_DIR = Path(os.environ.get("BANGFU_DATA_DIR") or PROJECT_DIR / "var").resolve()

# Outside debug, demo and tests a real deployment must bring its own strong secrets.
_LAX_SECRETS = DEBUG or DEMO or TESTING
# `bangfu doctor` (the CLI sets this) starts without them and reports each one itself.
DIAGNOSING = env_bool("BANGFU_DIAGNOSING")
_DEV_SECRET = "bangfu-development-only-secret-key-do-not-use-in-production"
_DEV_FIELD_KEY = "bangfu-development-only-field-key-do-not-use-in-production"
MIN_SECRET_LENGTH = 32


def secret_from_env(name: str, fallback: str) -> str:
    value = os.environ.get(name, "")
    if len(value) >= MIN_SECRET_LENGTH:
        return value
    if DIAGNOSING or (_LAX_SECRETS and not value):
        return fallback
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set. Set it to a random string of at least {MIN_SECRET_LENGTH} characters "
            "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)."
        )
    raise ImproperlyConfigured(f"{name} is too short: it needs at least {MIN_SECRET_LENGTH} characters.")


SECRET_KEY = secret_from_env("BANGFU_SECRET_KEY", _DEV_SECRET)
# The registry derives its encryption and blind-index keys from this (bangfu.lib.crypto).
FIELD_KEY = secret_from_env("BANGFU_FIELD_KEY", _DEV_FIELD_KEY)
# The one clock: bangfu.lib.clock.today() reads this when set (the demo lives inside 2020).
BANGFU_TODAY = env_date("BANGFU_TODAY")
# Extra font directories (colon-separated) searched before the system's when a PDF is written:
# where an office puts its licensed 仿宋_GB2312 / 方正小标宋 files (bangfu.lib.officialdoc).
BANGFU_FONT_DIR = os.environ.get("BANGFU_FONT_DIR", "")

ALLOWED_HOSTS = env_list("BANGFU_ALLOWED_HOSTS", "localhost,127.0.0.1")
if TESTING:
    ALLOWED_HOSTS.append("testserver")
CSRF_TRUSTED_ORIGINS = env_list("BANGFU_CSRF_TRUSTED_ORIGINS", "")
CSRF_FAILURE_VIEW = "bangfu.core.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "ninja",
    # Before django_tasks_db: of two apps providing a management command, the first listed wins,
    # and bangfu.core's `db_worker` is django-tasks-db's worker plus a heartbeat (`bangfu doctor`).
    "bangfu.core",
    "django_tasks",
    "django_tasks_db",
    "bangfu.audit",
    "bangfu.areas",
    "bangfu.partners",
    "bangfu.accounts",
    "bangfu.registry",
    "bangfu.workplan",
    "bangfu.ledger",
    "bangfu.projects",
    "bangfu.charity",
    "bangfu.awards",
    "bangfu.network",
    "bangfu.subsidies",
    "bangfu.monitoring",
    "bangfu.documents",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "bangfu.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "bangfu.core.middleware.LanguageMiddleware",
    "bangfu.core.middleware.NulCharacterMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "bangfu.core.middleware.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
    "bangfu.core.once.IdempotencyMiddleware",
]

ROOT_URLCONF = "bangfu.urls"
WSGI_APPLICATION = "bangfu.wsgi.application"

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
                "bangfu.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'bangfu.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, reading a stored out-of-range amount instead of failing on it.
    DATABASES["default"]["ENGINE"] = "bangfu.core.sqlite3"
    Path(DATABASES["default"]["NAME"]).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL lets readers go on while an import writes; IMMEDIATE avoids lock-upgrade deadlocks.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth and security ----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Speed only: argon2 is deliberately slow.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = int(os.environ.get("BANGFU_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "bangfu.core.middleware.client_ip"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# HSTS-ready: turn these on behind TLS.
SECURE_SSL_REDIRECT = env_bool("BANGFU_SECURE_SSL_REDIRECT")
SESSION_COOKIE_SECURE = env_bool("BANGFU_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = int(os.environ.get("BANGFU_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
# Behind nginx (deploy/nginx/bangfu.conf), which sets X-Forwarded-Proto and X-Real-IP.
BEHIND_PROXY = env_bool("BANGFU_BEHIND_PROXY")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

# --- Language and time ----------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "中文"), ("en", "English")]
# Apps keep their own catalogues (<app>/locale); this one holds the strings outside apps.
LOCALE_PATHS = [] if env_bool("BANGFU_APP_CATALOGUE") else [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
try:  # whitenoise warns about a missing STATIC_ROOT even when it serves from the finders
    STATIC_ROOT.mkdir(mode=0o700, parents=True, exist_ok=True)
except OSError:
    pass
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
# `bangfu backup` without -o writes here (the nightly timer does); `bangfu doctor` looks here.
BACKUP_DIR = Path(os.environ.get("BANGFU_BACKUP_DIR") or DATA_DIR / "backups").resolve()
# Uploaded files hold personal data: readable by bangfu's own user only (docs/operations.md).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700


# --- Spreadsheets from outside (bangfu.lib.sheets; docs/operations.md "Spreadsheet uploads") ---------
def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip().replace("_", "")
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from exc
    if value <= 0:
        raise ImproperlyConfigured(f"{name} must be positive, got {raw!r}")
    return value


_MB = 1 << 20
# "upload": what a page takes in the web process (cadres, organisations, donation statements,
# Yulu paid lists). "registry": the national-system export (a county's 100,000–300,000 members;
# the import takes 1,000,000 rows), read by the CLI and the task worker.
_SHEET_DEFAULTS = {
    "upload": {
        "max_bytes": 20 * _MB,
        "max_rows": 100_000,
        "max_columns": 256,
        "max_cells": 3_000_000,
        "max_cell_chars": 32_767,
        "max_uncompressed": 256 * _MB,
        "max_ratio": 100,
        "max_entries": 1_000,
        "child_memory": 1024 * _MB,
        "child_seconds": 120,
    },
    "registry": {
        "max_bytes": 512 * _MB,
        "max_rows": 1_048_576,
        "max_columns": 256,
        "max_cells": 50_000_000,
        "max_cell_chars": 32_767,
        "max_uncompressed": 4096 * _MB,
        "max_ratio": 100,
        "max_entries": 1_000,
        "child_memory": 6144 * _MB,
        "child_seconds": 900,
    },
}
# Each limit can be set as BANGFU_SHEET_<USE>_<LIMIT>, e.g. BANGFU_SHEET_REGISTRY_MAX_ROWS=2000000.
SHEET_LIMITS = {
    use: {key: env_int(f"BANGFU_SHEET_{use.upper()}_{key.upper()}", value) for key, value in defaults.items()}
    for use, defaults in _SHEET_DEFAULTS.items()
}

# --- Background jobs (django-tasks, database backend: no extra service) ---------------------------
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if TESTING
        else "django_tasks_db.DatabaseBackend"
    }
}

# A running registry import that reported no progress for this long has lost its worker: it is
# failed (and its upload deleted) by the worker's start-up and by `bangfu check-integrity`. Longer
# than the write phase of the largest import, which reports nothing while it holds the lock.
IMPORT_STALL_MINUTES = env_int("BANGFU_IMPORT_STALL_MINUTES", 30)

# Separation of duties (docs/security.md): for this many days after an admin creates, re-activates,
# re-roles or resets the password of an account (unless a second admin confirmed the change), that
# admin and the account count as one person on a payment's signatures.
SOD_WINDOW_DAYS = env_int("BANGFU_SOD_WINDOW_DAYS", 180)
# API tokens expire this many days after creation (expired: 401).
API_TOKEN_DAYS = env_int("BANGFU_API_TOKEN_DAYS", 90)


def env_dates(name: str) -> list[date]:
    """ISO dates separated by commas (e.g. BANGFU_PUBLIC_HOLIDAYS=2020-10-01,2020-10-02)."""
    dates = []
    for raw in env_list(name, ""):
        try:
            dates.append(date.fromisoformat(raw))
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name}: {raw!r} is not an ISO date (YYYY-MM-DD)") from exc
    return dates


# Working days (bangfu.lib.periods): public holidays, and weekend days that are working days (调休).
PUBLIC_HOLIDAYS = env_dates("BANGFU_PUBLIC_HOLIDAYS")
MAKEUP_WORKDAYS = env_dates("BANGFU_MAKEUP_WORKDAYS")

# --- Logging: never personal data; request ids tie lines together ----------------------------------
# Every handler runs `personal_data` (bangfu.core.logs.PersonalDataFilter): ID, mobile and bank
# numbers and URL query values are redacted from messages and tracebacks. Django's own loggers are
# re-pointed at these handlers: `django.server` (runserver's access log) would otherwise bypass
# them, and `django` would otherwise mail error reports (with local variables) once ADMINS is set.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "bangfu.core.middleware.RequestIdLogFilter"},
        "personal_data": {"()": "bangfu.core.logs.PersonalDataFilter"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id", "personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("BANGFU_LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": [], "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        # Subsetting a font for a PDF logs every table at INFO.
        "fontTools": {"level": "WARNING"},
        "fpdf": {"level": "WARNING"},
    },
}

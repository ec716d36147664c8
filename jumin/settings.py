"""The one settings module. Everything that differs between machines comes from the environment.

- ``DATABASE_URL``: defaults to a SQLite file under ``var/`` in the project folder.
- ``JUMIN_SECRET_KEY``: required unless ``JUMIN_DEBUG=1``; the server refuses to start without it.
- ``JUMIN_DEBUG``: ``1`` on a developer's or demo machine, never in production.
- ``JUMIN_ALLOWED_HOSTS``: comma-separated host names.
- ``JUMIN_SESSION_MINUTES``: idle minutes before a staff session ends (default 30).
- ``JUMIN_LOGIN_LOCK_FAILURES`` / ``JUMIN_LOGIN_LOCK_MINUTES``: login lockout of one user name
  from one address (default 5 / 15).
- ``JUMIN_CLIENT_IP_HEADER`` / ``JUMIN_PROXY_COUNT``: behind reverse proxies, the header they
  append the client's address to (e.g. ``X-Forwarded-For``) and how many there are (default 1);
  unset, the connection's own address is used.
- ``JUMIN_TASKS_BACKEND``: ``db`` (default, ``jumin worker``) or ``immediate`` (run in-process).
- ``JUMIN_JOB_LEASE_SECONDS``: how old a running job's heartbeat may get before the job is
  seen as dead (default 180).
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("JUMIN_VAR_DIR", PROJECT_DIR / "var"))


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


DEBUG = env_flag("JUMIN_DEBUG")

SECRET_KEY = os.environ.get("JUMIN_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "JUMIN_SECRET_KEY is not set. Production refuses to start without a secret key; "
            "on a development machine set JUMIN_DEBUG=1."
        )
    SECRET_KEY = "development-only-insecure-key-jumin"  # noqa: S105 — DEBUG machines only

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get(
        "JUMIN_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else ""
    ).split(",")
    if host.strip()
]
CSRF_TRUSTED_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("JUMIN_CSRF_TRUSTED_ORIGINS", "").split(",")
    if origin.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "axes",
    "jumin.core",
    "jumin.people",
    "jumin.pension",
    "jumin.medical",
    "jumin.collection",
    "jumin.reports",
    "jumin.bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "jumin.core.middleware.RequestContextMiddleware",
    "jumin.core.middleware.ApiJsonErrorsMiddleware",
    "jumin.core.middleware.InputSafetyMiddleware",
    "jumin.core.middleware.AdminOnlyForAdministratorsMiddleware",
    "jumin.core.auth.PasswordChangeRequiredMiddleware",
    # last, as django-axes asks: turns a locked-out login into the lockout page
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jumin.urls"
WSGI_APPLICATION = "jumin.wsgi.application"

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
                "jumin.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'jumin.sqlite3'}"),
        conn_max_age=env_int("JUMIN_DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # a fresh clone has no var/ yet
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets the web server read while the worker writes; a short busy wait
            # instead of "database is locked" when both write.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("JUMIN_TEST_DATABASE_NAME") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

# Login throttling is django-axes: the standalone backend refuses a locked-out attempt before
# the model backend checks the password. Attempts count per user name AND address, so nobody
# can lock an account out from elsewhere; API tokens never pass through here.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
JUMIN_LOGIN_LOCK_FAILURES = env_int("JUMIN_LOGIN_LOCK_FAILURES", 5)
JUMIN_LOGIN_LOCK_MINUTES = env_int("JUMIN_LOGIN_LOCK_MINUTES", 15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = "jumin.core.auth.login_failure_limit"  # reads JUMIN_LOGIN_LOCK_FAILURES
AXES_COOLOFF_TIME = "jumin.core.auth.login_cool_off"  # reads JUMIN_LOGIN_LOCK_MINUTES
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "jumin.core.web.views.session.login_locked_out"
AXES_DISABLE_ACCESS_LOG = True  # successful logins are in the audit trail (auth.login)
AXES_ENABLE_ADMIN = False  # unlocking is on the staff pages, where it is audited
# The client's address (lockout and audit trail): the connection's own, unless a reverse
# proxy is named as its source; see jumin.core.auth.client_address.
AXES_CLIENT_IP_CALLABLE = "jumin.core.auth.client_address"
JUMIN_CLIENT_IP_HEADER = os.environ.get("JUMIN_CLIENT_IP_HEADER", "").strip()
JUMIN_PROXY_COUNT = env_int("JUMIN_PROXY_COUNT", 1)

# Content-Security-Policy (django-csp): everything the pages use is served by jumin itself
# (DESIGN: no CDN), and no page has an inline script, style or on... handler, so nothing else
# is allowed. data: images are Swagger UI's icons on /api/docs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "jumin.core.auth.MixedCharactersValidator"},
    {"NAME": "jumin.core.auth.UserNameRepeatedValidator"},
]

# Sessions end after JUMIN_SESSION_MINUTES without a request, and when the browser closes.
SESSION_COOKIE_AGE = env_int("JUMIN_SESSION_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

if not DEBUG:
    SESSION_COOKIE_SECURE = env_flag("JUMIN_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_flag("JUMIN_SECURE_COOKIES", True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
    SECURE_HSTS_SECONDS = env_int("JUMIN_HSTS_SECONDS", 0)
    SECURE_SSL_REDIRECT = env_flag("JUMIN_SSL_REDIRECT", False)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("JUMIN_STATIC_ROOT", VAR_DIR / "static"))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "media")},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Uploads: rosters can be large; they are streamed to a temporary file.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
JUMIN_IMPORT_MAX_BYTES = env_int("JUMIN_IMPORT_MAX_BYTES", 200 * 1024 * 1024)
# Limits per file kind, checked before the work starts (docs/formats/limits.md). Rows are
# counted as Excel numbers them, header included; 1 048 576 is Excel's own last row.
JUMIN_IMPORT_MAX_ROWS = env_int("JUMIN_IMPORT_MAX_ROWS", 1_048_576)
JUMIN_REGION_IMPORT_MAX_ROWS = env_int("JUMIN_REGION_IMPORT_MAX_ROWS", 100_000)
JUMIN_EMPLOYEE_LIST_MAX_BYTES = env_int("JUMIN_EMPLOYEE_LIST_MAX_BYTES", 100 * 1024 * 1024)
JUMIN_EMPLOYEE_LIST_MAX_ROWS = env_int("JUMIN_EMPLOYEE_LIST_MAX_ROWS", 1_048_576)
# Bank result files, bank statements and tax files are read whole into memory.
JUMIN_BANK_FILE_MAX_BYTES = env_int("JUMIN_BANK_FILE_MAX_BYTES", 200 * 1024 * 1024)
JUMIN_BANK_FILE_MAX_LINES = env_int("JUMIN_BANK_FILE_MAX_LINES", 2_000_000)
# An .xlsx is refused before it is read when its parts unpack to more than this, or when a
# part of more than 10 MB unpacks to more than this many times its packed size (a real
# roster packs about 9:1; a "zip bomb" of repeated rows 1000:1).
JUMIN_XLSX_MAX_UNPACKED_BYTES = env_int("JUMIN_XLSX_MAX_UNPACKED_BYTES", 1024 * 1024 * 1024)
JUMIN_XLSX_MAX_RATIO = env_int("JUMIN_XLSX_MAX_RATIO", 100)
# Roster imports one user may have queued or running at a time (web and API).
JUMIN_IMPORTS_WAITING_PER_USER = env_int("JUMIN_IMPORTS_WAITING_PER_USER", 2)

# Background jobs (jumin.core.jobs): imports a township hands in wait on "imports", county
# jobs (dues, posting, payroll) on "county", so neither waits behind the other; `jumin worker`
# serves every queue unless given --queue-name.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if os.environ.get("JUMIN_TASKS_BACKEND") == "immediate"
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default", "imports", "county"],
    }
}
# A running job refreshes its lease about every sixth of this; a job whose process stopped
# (killed, machine restarted) is seen as interrupted once its lease is this old, at once on
# the machine that ran it.
JUMIN_JOB_LEASE_SECONDS = env_int("JUMIN_JOB_LEASE_SECONDS", 180)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("JUMIN_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # django-axes logs every failed login as a warning; its start-up banner is noise
        "axes": {"level": "WARNING"},
    },
}

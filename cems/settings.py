"""Settings for CEMS. Everything that differs between machines comes from the environment."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
import django_stubs_ext

# Lets the code write ModelAdmin[Model], QuerySet[Model] etc. for the type checker.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CEMS_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _local_secret_key() -> str:
    """A random key kept under var/, so that a fresh checkout is safe without configuration."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "cems.accounts.apps.CemsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "cems.core",
    "cems.accounts",
    "cems.organization",
    "cems.catalog",
    "cems.students",
    "cems.admissions",
    "cems.teaching",
    "cems.finance",
    "cems.graduation",
    "cems.training",
    "cems.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "cems.accounts.sessions.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cems.core.middleware.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
    "cems.core.audit_middleware.AuditMiddleware",
]

ROOT_URLCONF = "cems.urls"
WSGI_APPLICATION = "cems.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cems" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cems.accounts.context_processors.navigation",
            ],
        },
    },
]
# Form fields are drawn by Django's own widget templates in their Jinja2 version (half the
# time, the same HTML), the admin's in Django's (cems/core/renderers.py).
FORM_RENDERER = "cems.core.renderers.FormRenderer"

# --- Databases -------------------------------------------------------------------------------
# SQLite by default: one file under var/, in WAL mode so that readers never wait for the
# writer, IMMEDIATE transactions so that two writers queue at BEGIN instead of failing with
# "database is locked" half-way through, and a busy timeout so that they wait their turn.
SQLITE_BUSY_TIMEOUT_SECONDS = 20
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "cems.sqlite3"),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA cache_size=-65536;"
                ),
            },
            # The test database is a file too, so that tests run with WAL as production does.
            "TEST": {"NAME": str(VAR_DIR / "test-cems.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and sign-in --------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Argon2id first (cems/accounts/hashers.py); the others only to accept, and then upgrade,
# hashes written before.
PASSWORD_HASHERS = [
    "cems.accounts.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "reports:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

# Repeated failed sign-ins lock the account (per user name) for a while.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cems.accounts.views.locked_out"
AXES_VERBOSE = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60
# Off by default because many campus intranets serve plain HTTP; turn on behind HTTPS.
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# --- Security --------------------------------------------------------------------------------
# Behind HTTPS (CEMS_HTTPS=true): plain HTTP is redirected, browsers are told to use HTTPS
# only for a year (HSTS, this host and its subdomains), cookies travel over HTTPS only.
# `python manage.py check --deploy` then reports nothing. CEMS_BEHIND_PROXY=true trusts the
# X-Forwarded-Proto header: set it only when the proxy in front (nginx, ...) sets it itself.
CEMS_HTTPS = env_bool("CEMS_HTTPS", False)
SECURE_SSL_REDIRECT = CEMS_HTTPS
SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60 if CEMS_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = CEMS_HTTPS
# The preload directive takes effect only once the domain is submitted to the browsers'
# preload list, which the school does deliberately; CEMS_HSTS_PRELOAD=false leaves it out.
SECURE_HSTS_PRELOAD = env_bool("CEMS_HSTS_PRELOAD", CEMS_HTTPS)
if CEMS_HTTPS:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
if env_bool("CEMS_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Sent on every response (cems/core/middleware.py). Scripts and styles: the site's own files
# only (no style="..." in the templates; htmx is told not to add its indicator style; charts
# are SVG drawn on the server with presentation attributes).
CEMS_CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "style-src": "'self'",
    "script-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
}
# Sessions (cems/accounts/sessions.py): a session ends after this many minutes without a
# request, and SESSION_COOKIE_AGE after signing in whatever the activity.
CEMS_IDLE_TIMEOUT_MINUTES = int(os.environ.get("CEMS_IDLE_TIMEOUT_MINUTES", "30"))

# --- Languages -------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files: served by the app itself (WhiteNoise), never from a CDN --------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Uploaded and generated files ------------------------------------------------------------
# Never served as static files: each download goes through a view that checks who asks.
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

# --- Cache ------------------------------------------------------------------------------------
# Shared by every process of one machine (the web workers and the background worker): the
# public page's figures and the verification pages' rate limits. Several machines need a
# shared cache: CEMS_REDIS_URL=redis://... (with `pip install redis`).
if REDIS_URL := os.environ.get("CEMS_REDIS_URL", ""):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}  # fmt: skip
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(VAR_DIR / "cache")}}  # fmt: skip

# Reports and dashboards of the whole school are kept as snapshots (cems/reports/snapshots.py):
# once the data change, the previous figures are shown, with their time, for at most this
# long while the background worker computes them again (past it, the page computes them,
# which takes seconds at a million students).
CEMS_SNAPSHOTS = True
CEMS_SNAPSHOT_MAX_STALE_SECONDS = int(os.environ.get("CEMS_SNAPSHOT_MAX_STALE_SECONDS", "86400"))

# --- Background tasks ------------------------------------------------------------------------
# Work that takes more than a few seconds (batches of PDFs, ...) runs in a worker,
# `python manage.py db_worker`, while the page shows its progress (cems/core/jobs.py). The
# queue lives in the database by default; a production deployment may name another backend
# of Django's task API (e.g. "django_tasks_rq.RQBackend" on Redis) without code changes.
# django-tasks-rq reads its Redis connection from here.
RQ_QUEUES = {"default": {"URL": REDIS_URL}} if REDIS_URL else {}
TASKS = {
    "default": {
        "BACKEND": os.environ.get("CEMS_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"cems": {"handlers": ["console"], "level": "INFO"}},
}

# --- Domain settings (DOMAIN.md): defaults that vary between schools -------------------------
# Standard length of study in years per program level; sources disagree, so it is a setting.
CEMS_STANDARD_LENGTH_YEARS = {"hs_jc": "2.5", "jc_ba": "2.5", "hs_ba": "5"}
CEMS_PAGE_SIZE = 50
# The academic year, and a cohort's studies, start on the 1st of this month (September).
CEMS_ACADEMIC_YEAR_START_MONTH = 9
# The maximum study period is the standard length plus this many years (suspensions count).
CEMS_MAX_EXTRA_YEARS = 3
# Suspension (休学): one year at a time, at most this many years in total.
CEMS_SUSPENSION_MAX_YEARS = 2
# 学号 = college code (2) + admission year (4) + major code (3) + sequence (3); the pattern is a
# str.format template over college, year, major (Major.short_code), station (Station.code)
# and seq (per year and major).
CEMS_COLLEGE_CODE = "10"
CEMS_STUDENT_NUMBER_PATTERN = "{college}{year}{major}{seq:03d}"
# Admission files larger than this are refused before they are read.
CEMS_MAX_UPLOAD_BYTES = 20 * 1024 * 1024

# Locking by user name alone is deliberate: the account is what is protected, whatever the
# address the attempts come from (axes warns because it prefers address-based locking).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Grades (cems/teaching/grading.py): the pass score of 百分制; the score each 五级制 result
# counts as in averages; the final grade after a passed makeup exam: "pass_at_60" (the pass
# score), "makeup" (the makeup's own score) or "higher" (the better of the two).
CEMS_PASS_SCORE = 60
CEMS_FIVE_LEVEL_SCORES = {"excellent": 95, "good": 85, "fair": 75, "pass": 65, "fail": 50}
CEMS_MAKEUP_FINAL_RULE = "pass_at_60"
# The school's name as printed on transcripts and certificates.
CEMS_SCHOOL_NAME = "湖南科技大学继续教育学院"
CEMS_SCHOOL_NAME_EN = "School of Continuing Education, Hunan University of Science and Technology"

# Fees and graduation (cems/finance, cems/graduation). Diploma numbers: the national format
# is configurable; {school} is CEMS_SCHOOL_CODE, {year} the graduation year, {level} the
# level's code in CEMS_LEVEL_CODES, {seq} the sequence within the year and level.
CEMS_SCHOOL_CODE = "10534"
CEMS_LEVEL_CODES = {"hs_jc": "6", "jc_ba": "5", "hs_ba": "5"}
CEMS_DIPLOMA_NUMBER_FORMAT = "{school}1{year}{level}{seq:06d}"
CEMS_DEGREE_NUMBER_FORMAT = "{school}4{year}{seq:06d}"
# The bachelor's degree (DOMAIN.md): thresholds seen across schools, as defaults.
CEMS_DEGREE_MIN_AVERAGE = 70
CEMS_DEGREE_MIN_DEGREE_COURSE = 65  # each degree course; None: no such rule
CEMS_DEGREE_MIN_THESIS = 75
CEMS_DEGREE_CET4_PASS = 425
CEMS_DEGREE_ADULT_ENGLISH_PASS = 60
CEMS_DEGREE_APPLICATION_YEARS = 2  # apply within this many years of the diploma

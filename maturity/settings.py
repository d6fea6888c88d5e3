"""Settings for the digital maturity self-assessment.

One file, read from the environment (and from a `.env` file beside `manage.py` if there is
one). `.env.example` lists every variable. The defaults are safe for production (DEBUG off,
secure cookies) except the database, which falls back to an SQLite file so that `make run`
needs no setup.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Set DJANGO_SECRET_KEY: it is required when DEBUG is off (see .env.example)."
        )
    # Only ever used with DEBUG on, on a developer's machine.
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The address respondents and leads use, for links that leave the site (invitation CSVs,
# emails). Without it, links are built from the request.
SITE_URL = env.str("SITE_URL", default="").rstrip("/")
SERVICE_NAME = env.str("SERVICE_NAME", default="Digital maturity self-assessment")
# Shown on the accessibility statement for people who need help or another format.
CONTACT_EMAIL = env.str("CONTACT_EMAIL", default="")
# The admin lives at a path of your choosing, so it is not where scanners look first.
ADMIN_URL = env.str("ADMIN_URL", default="admin/").strip("/") + "/"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_forms_gds",
    "nested_admin",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "maturity",
    "assessments",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "maturity.text.StripControlCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every view needs a signed-in user unless marked @login_not_required: the public pages,
    # the sign-in and password reset pages, and the respondent pages reached by token.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "maturity.urls"
WSGI_APPLICATION = "maturity.wsgi.application"

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
                "maturity.context_processors.service",
                "assessments.context_processors.anonymity",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the email worker share the file. With a write-ahead log readers
    # never wait for a writer, and a commit costs one flush to disk rather than several.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "maturity.User"
AUTHENTICATION_BACKENDS = [
    # Counts failed logins and locks out repeated guessing (see AXES_* below).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# static/build is written by `npm run build` (GOV.UK Frontend compiled without the GOV.UK
# font, plus plotly.js); static/src holds the Sass it is built from.
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# A database table by default: shared by every process and server with no extra service
# (`createcachetable` makes it). Redis is a drop-in alternative: rediscache://host:6379/1
# Room for 20,000 entries rather than Django's 300: the token rate limit keeps one counter per
# client address a minute, and a survey launch must not push rendered PDFs out.
CACHES = {"default": env.cache_url("CACHE_URL", default="dbcache://django_cache?max_entries=20000")}

# Background work (sending email) through Django's tasks framework, from the django-tasks
# backport until Django 6. TASKS_URL says where tasks wait for a worker:
#   database://           a table in the app's database; `manage.py db_worker` runs them
#   redis://HOST:6379/0   Redis, for workers on more than one machine; `manage.py rqworker`
#   immediate://          no queue: run at once, inside the request (the tests)
tasks_url = env.str("TASKS_URL", default="database://")
tasks_scheme = urlsplit(tasks_url).scheme
if tasks_scheme in ("redis", "rediss"):
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": tasks_url}}
elif tasks_scheme in ("database", "immediate"):
    TASKS = {
        "default": {
            "BACKEND": {
                "database": "django_tasks_db.DatabaseBackend",
                "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            }[tasks_scheme]
        }
    }
else:
    raise ImproperlyConfigured(
        f"TASKS_URL must start database://, redis://, rediss:// or immediate://, not {tasks_url!r}."
    )

# Outgoing email, sent by the worker (maturity.mail). EMAIL_URL is one of:
#   smtp://USER:PASSWORD@HOST:25        plain SMTP, to a relay on a private network
#   smtp+tls://USER:PASSWORD@HOST:587   STARTTLS
#   smtps://USER:PASSWORD@HOST:465      TLS from the start (smtp+ssl:// is the same)
#   notify://                           GOV.UK Notify (NOTIFY_API_KEY, NOTIFY_TEMPLATE_ID)
#   consolemail://                      printed by the worker: development only
# django-environ reads smtps:// as STARTTLS; here it means TLS from the start, as on port 465.
# A missing port is the usual one for the scheme; ?timeout=SECONDS bounds each connection.
email_url = env.str("EMAIL_URL", default="consolemail://")
email_scheme = urlsplit(email_url).scheme
if email_scheme == "notify":
    EMAIL_BACKEND = "maturity.notify.EmailBackend"
else:
    if email_scheme == "smtps":
        email_scheme, email_url = "smtp+ssl", "smtp+ssl" + email_url.removeprefix("smtps")
    email_config = env.email_url_config(email_url)
    email_options = email_config.pop("OPTIONS", {})
    if set(email_options) - {"TIMEOUT"}:
        raise ImproperlyConfigured("EMAIL_URL takes one option, ?timeout=SECONDS.")
    EMAIL_BACKEND = email_config["EMAIL_BACKEND"]
    EMAIL_HOST = email_config["EMAIL_HOST"] or "localhost"
    EMAIL_PORT = email_config["EMAIL_PORT"] or {"smtp+tls": 587, "smtp+ssl": 465}.get(
        email_scheme, 25
    )
    EMAIL_HOST_USER = email_config["EMAIL_HOST_USER"] or ""
    EMAIL_HOST_PASSWORD = email_config["EMAIL_HOST_PASSWORD"] or ""
    EMAIL_USE_TLS = email_config.get("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = email_config.get("EMAIL_USE_SSL", False)
    EMAIL_FILE_PATH = email_config["EMAIL_FILE_PATH"]
    EMAIL_TIMEOUT = email_options.get("TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="no-reply@localhost")

# GOV.UK Notify sends through one email template of the service's, with the subject and body
# of each message as its personalisation: subject "((subject))", body "((body))".
NOTIFY_API_KEY = env.str("NOTIFY_API_KEY", default="")
NOTIFY_TEMPLATE_ID = env.str("NOTIFY_TEMPLATE_ID", default="")
NOTIFY_BASE_URL = "https://api.notifications.service.gov.uk"
if email_scheme == "notify" and not (NOTIFY_API_KEY and NOTIFY_TEMPLATE_ID):
    raise ImproperlyConfigured("EMAIL_URL=notify:// needs NOTIFY_API_KEY and NOTIFY_TEMPLATE_ID.")

# Security. Cookies are secure unless DEBUG is on (the dev server speaks plain HTTP).
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# "preload" only allows the domain to be submitted to browsers' HTTPS-only list; government
# domains such as gov.uk are on it already, with their subdomains.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: everything from our own origin; no inline scripts anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Reverse proxies in front of the app, each adding one address to X-Forwarded-For: the client
# is the address the outermost one saw. 0 means REMOTE_ADDR is the client.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)

# Requests a minute from one client address to the token links (s/… and r/…). Generous
# enough for an office of staff behind one address opening an invitation together; low
# enough to stop anyone trying tokens or starting responses by the thousand.
TOKEN_RATE_LIMIT = env.int("TOKEN_RATE_LIMIT", default=60)

# A respondent's session ends after this many minutes without a survey page, and this many
# minutes after they submit (time to read their scores): on a shared computer the next person
# must not find the survey, or someone's scores, still open.
SURVEY_IDLE_MINUTES = env.int("SURVEY_IDLE_MINUTES", default=120)
SURVEY_CONFIRMATION_MINUTES = env.int("SURVEY_CONFIRMATION_MINUTES", default=10)

# Caps per organisation, so that no one lead can fill the database: rounds of any status, and
# personal links in rounds that have not closed.
MAX_ROUNDS_PER_ORGANISATION = env.int("MAX_ROUNDS_PER_ORGANISATION", default=100)
MAX_PERSONAL_LINKS_PER_ORGANISATION = env.int("MAX_PERSONAL_LINKS_PER_ORGANISATION", default=50000)

# Request sizes: the largest form, a question bank theme in the admin, posts about 50 fields a
# question (600 for 12 questions; the bank has about 5 a theme), well under 1 MB. Nothing is
# uploaded. The proxy's own limit (docs/deploy.md) stops larger bodies before the app.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# An open round's figures move in snapshots (assessments.anonymity), at most this often, in
# seconds: each recomputes the round's figures. The final snapshot at close is made at once.
SNAPSHOT_INTERVAL = env.int("SNAPSHOT_INTERVAL", default=60)

# Responses one client address may start through a round's open link in an hour: enough for
# an office behind one address, not for someone filling a group with made-up answers.
OPEN_LINK_STARTS_PER_HOUR = env.int("OPEN_LINK_STARTS_PER_HOUR", default=50)
# This many submissions through the open link with exactly the same answers are pointed out
# to the round's leads.
IDENTICAL_SUBMISSIONS_FLAG = env.int("IDENTICAL_SUBMISSIONS_FLAG", default=3)

# Login throttling: after 5 failures for one username from one address, that pair waits.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT
AXES_VERBOSE = False
# Password reset: requests an hour from one client address, and links an hour to one email
# address (further requests get the same "check your email" page, and no email).
PASSWORD_RESET_REQUESTS_PER_HOUR = env.int("PASSWORD_RESET_REQUESTS_PER_HOUR", default=10)
PASSWORD_RESETS_PER_ADDRESS = env.int("PASSWORD_RESETS_PER_ADDRESS", default=3)
AXES_HANDLER = "maturity.signin.AddressLimitHandler"
AXES_USERNAME_CALLABLE = "maturity.signin.attempt_username"
# Failed sign-ins from one address, on any accounts, before that address waits the same
# 15 minutes: a few people mistyping behind one office address stay well under it; someone
# trying a few passwords on each of many accounts does not.
SIGNIN_ADDRESS_FAILURE_LIMIT = env.int("SIGNIN_ADDRESS_FAILURE_LIMIT", default=20)

# Response tokens must not reach the logs: whoever reads a log line with one could answer as
# that respondent. The filter masks them in every record the handlers write: request lines
# from runserver (django.server) and gunicorn (gunicorn.access, when started with
# --access-logfile -), and Django's "Not Found: /r/…" warnings (django.request). The loggers
# are named here so that Django's and gunicorn's own handlers, which lack the filter, are
# replaced. Answers are never logged: nothing logs request bodies.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_tokens": {"()": "assessments.redaction.RedactTokens"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_tokens"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.error": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        # WeasyPrint narrates every step of every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
    },
}

"""Settings for the chat, read from the environment with embedded defaults.

With no environment at all the chat runs on SQLite and the in-memory channel
layer. DATABASE_URL switches to PostgreSQL, REDIS_URL to channels-redis; both
are required as soon as more than one server process runs (DESIGN.md §8).
"""

from pathlib import Path

import environ
import limits
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from config.secret_key import load_or_create_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # local state of the embedded defaults: SQLite file, secret key

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="") or load_or_create_secret_key(VAR_DIR / "secret_key")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # daphne first: it replaces runserver with its ASGI server (WebSockets in development).
    "daphne",
    "servestatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "channels",
    "django_htmx",
    "django_tasks_db",
    "rooms",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Serves /static/ from the app directories under any ASGI server, uvicorn included.
    "servestatic.middleware.ServeStaticMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before any view reads a body that was too large to keep (config/body_limit.py).
    "config.body_limit.RefuseTooLarge",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Below HtmxMiddleware, so that request.htmx is known when a 405 is given its page.
    "rooms.web.errors.NotAllowedPage",
]
CSRF_FAILURE_VIEW = "rooms.web.errors.csrf_failure"

ROOT_URLCONF = "config.urls"
# Form widgets and error lists render through the project's templates, so
# that templates/django/forms/ can make every field error an announced alert.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
ASGI_APPLICATION = "config.asgi.application"

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
                "django.template.context_processors.csp",
            ],
        },
    },
]

# SQLite by default. WAL lets readers go on while a message is written, and
# IMMEDIATE transactions take the write lock up front instead of failing with
# "database is locked" half-way through a transaction.
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 5,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # Opening a SQLite connection costs about 2 ms of CPU (Django registers its
    # SQL functions on each), more than saving a message. The sockets' database
    # work runs on a thread of its own, so one kept connection serves them all.
    DATABASES["default"]["CONN_MAX_AGE"] = 600
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # The test database is a file too, not memory: the sockets' database thread and a test's own are
    # two connections, and SQLite shares an in-memory database between connections only with
    # table locks that fail at once instead of waiting.
    DATABASES["default"].setdefault("TEST", {}).setdefault("NAME", str(VAR_DIR / "test.sqlite3"))
    VAR_DIR.mkdir(exist_ok=True)  # SQLite makes the file, not its folder
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    from config.database_pool import check_pooled_connection

    # Under ASGI every request may run in a new thread, so persistent
    # connections pile up; Django's psycopg pool shares a few instead.
    # A connection can die while it waits in the pool (a database restart, a
    # failover, an idle timeout): the pool tries each before lending it, one
    # round trip, and replaces a dead one, instead of a request failing on it.
    # It keeps four and grows on demand, up to DATABASE_POOL_MAX_SIZE, for bursts of pages (a request
    # holds its connection to its end). A page left mid-request once lost its connection to the pool for
    # good, until every page hung on it: config/django_handler.py says why, and how that was fixed.
    pool_max = env.int("DATABASE_POOL_MAX_SIZE", default=12)
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "pool", {"check": check_pooled_connection, "min_size": min(4, pool_max), "max_size": pool_max}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Like SQLite's timeout above: a write that waits over 5 s for a lock fails,
    # and the sender is told, instead of the socket hanging on it.
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c lock_timeout=5s")

# Threads for the sockets' database work (rooms/sockets/database_trips.py); pages have Django's.
# On PostgreSQL, while one waits on a room's lock, the others serve the other rooms. SQLite has
# one writer: writers on more threads would only queue for its lock (sleeping in its busy
# handler), so there the sockets keep to one.
DATABASE_THREADS = env.int("DATABASE_THREADS", default=1 if DATABASES["default"]["ENGINE"].endswith("sqlite3") else 4)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "rooms.User"

REDIS_URL = env.str("REDIS_URL", default="")
# Every key this site writes to Redis starts with this, so that several
# deployments (or test servers) can share one Redis without hearing each other.
REDIS_KEY_PREFIX = env.str("REDIS_KEY_PREFIX", default="chat")
# Several Redis servers shard the channel layer: channels-redis hashes each group
# and channel to one of them (docs/scaling.md). Comma-separated; REDIS_URL alone by default.
REDIS_LAYER_URLS = env.list("REDIS_LAYER_URLS", default=[REDIS_URL] if REDIS_URL else [])
if REDIS_LAYER_URLS:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": REDIS_LAYER_URLS,
                "prefix": f"{REDIS_KEY_PREFIX}:asgi",
                # Each process has one channel (rooms/sockets/fanout.py), which every broadcast to its
                # rooms passes through: room for bursts (a message beyond it is dropped, and the
                # pages read it from the database when the next one comes).
                "capacity": 1000,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


def rate_limit(name: str, default: str) -> str:
    """A limit in the limits library's notation, checked now: a typo must stop the server, not turn the limit off."""
    value: str = env.str(name, default=default)
    try:
        limits.parse(value)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a rate limit in the limits library's notation, such as '10 per 10 seconds'"
        ) from error
    return value


# How fast each door may be used (rooms/rate_limit.py), and where the counts live. The defaults are
# beyond what a person does: they stop scripts and floods.
MESSAGE_RATE_LIMIT = rate_limit("MESSAGE_RATE_LIMIT", "10 per 10 seconds")  # per person, across rooms
ROOM_MESSAGE_RATE_LIMIT = rate_limit("ROOM_MESSAGE_RATE_LIMIT", "100 per 10 seconds")  # per room, whoever sends
ROOM_CREATION_RATE_LIMIT = rate_limit("ROOM_CREATION_RATE_LIMIT", "10 per hour")  # new rooms per person
SIGN_UP_RATE_LIMIT = rate_limit("SIGN_UP_RATE_LIMIT", "50 per hour")  # new accounts per client address
SIGN_IN_RATE_LIMIT = rate_limit("SIGN_IN_RATE_LIMIT", "10 per 15 minutes")  # failed sign-ins per account
SIGN_IN_ADDRESS_RATE_LIMIT = rate_limit("SIGN_IN_ADDRESS_RATE_LIMIT", "50 per 15 minutes")  # ...per client address
RATE_LIMIT_STORAGE_URL = REDIS_URL or "memory://"

# Seconds within which the people of a server process that died without saying goodbye leave the rooms'
# "who is here" lists (rooms/sockets/presence.py): with Redis, each process renews its entries every quarter
# of it, and the processes still running remove the entries that expired.
PRESENCE_EXPIRY = env.float("PRESENCE_EXPIRY", default=30.0)
# Seconds over which a process gathers the comings and goings of people in a room into one frame, once one
# has gone out (rooms/sockets/presence.py): the first after a quiet while goes at once.
PRESENCE_COALESCE = env.float("PRESENCE_COALESCE", default=0.25)

# Seconds a socket's client may leave the server's bytes unread (its write buffer full) before it is
# dropped (config/websocket_protocol.py): long enough for a slow phone, short for a script that never reads.
SOCKET_STALL_TIMEOUT = env.float("SOCKET_STALL_TIMEOUT", default=20.0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "rooms:lobby"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ko", "한국어")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# Two ways to serve static files, both through ServeStatic:
# - collected (config/serve.py collects them, then sets COLLECTED_STATIC for
#   itself): names carry a hash of their content, so browsers may cache them
#   for good, and they are served pre-compressed;
# - straight from the app directories (runserver, plain `uvicorn
#   config.asgi:application`, the tests): plain names, short caching.
# Never guessed from a manifest lying in STATIC_ROOT: an old one would name
# files that have changed since.
COLLECTED_STATIC = env.bool("COLLECTED_STATIC", default=False)
# Attachments (rooms/models/attachments.py) go through Django's storage API: on local disk under var/ by
# default, with no public URL (MEDIA_URL stays unset; rooms/web/attachments.py serves them to the room's readers alone);
# S3-compatible storage is a STORAGES["default"] of django-storages' S3 backend, settings alone.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "uploads")))
STORAGES = {
    "default": {"BACKEND": env.str("FILE_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": "servestatic.storage.CompressedManifestStaticFilesStorage"
        if COLLECTED_STATIC
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
SERVESTATIC_USE_FINDERS = not COLLECTED_STATIC

# The largest attachment one may send, in bytes (10 MB by default); what kinds are allowed is a short list,
# told by their content (rooms/messages/file_types.py).
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
# The largest request body kept at all (config/body_limit.py): an attachment and its form, with room to spare.
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=ATTACHMENT_MAX_BYTES + 1024 * 1024)
# Work that need not hold the request is a task of Django's tasks framework. An image's thumbnail runs on
# "default", which runs it at once, in the process that enqueued it: its change then reaches every open page
# through that process's channel layer, the in-memory one included. What may wait on another server (a bot's
# webhook: seconds of timeouts, retries minutes apart) is queued on "outbound", in the database, and sent by
# django-tasks-db's worker (`manage.py db_worker --backend outbound`), which `make run` and `make serve` start.
TASKS = {
    "default": {"BACKEND": env.str("TASKS_BACKEND", default="django.tasks.backends.immediate.ImmediateBackend")},
    "outbound": {"BACKEND": env.str("OUTBOUND_TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")},
}
# A bot's webhook (rooms/people/bot_webhooks.py): how long it may keep the worker waiting (to connect, and for
# each part of its answer), how many attempts a mention gets, and whether it may be sent to a private,
# loopback or link-local address (off: the server's own network is not for whoever can make a bot to probe).
BOT_WEBHOOK_TIMEOUT_SECONDS = env.float("BOT_WEBHOOK_TIMEOUT_SECONDS", default=5.0)
BOT_WEBHOOK_ATTEMPTS = env.int("BOT_WEBHOOK_ATTEMPTS", default=4)
BOT_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env.bool("BOT_WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=False)
# The chat's own address as people reach it (e.g. https://chat.example.org), for links in what leaves it
# without a request to take the host from (a webhook's permalink); empty: such links are paths only.
# `make run` sets it to the address it serves.
SITE_URL = env.str("SITE_URL", default="")

# Behind TLS (HTTPS=true): cookies travel only over HTTPS, browsers are told
# to insist on it (HSTS), and plain HTTP is redirected. Off by default so that
# the zero-configuration run works on http://127.0.0.1.
HTTPS = env.bool("HTTPS", default=False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 60 * 60 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
# Only behind a proxy that sets X-Forwarded-Proto itself (and is the only way in),
# or clients could claim HTTPS. config/asgi.py reads the same flag for the scope's scheme.
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = [
    # HSTS preload (security.W021) commits the whole domain to HTTPS in browsers'
    # built-in lists for months; that is the operator's decision, not a default.
    "security.W021",
]
SECURE_REFERRER_POLICY = "same-origin"
# Only this site's own files run, style or load: no inline scripts or styles,
# no eval (htmx 4 evaluates only hx-on and js: attributes, which no template uses), no framing.
# 'self' covers this site's WebSocket (ws:/wss:) in current browsers.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    # The nonce: one small per-viewer rule in the room page's head (templates/rooms/room.html).
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "rooms": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
        # A failing view's traceback (500). Django's own handlers print it only with
        # DEBUG, or mail it to ADMINS, which is unset: without this only the access
        # log's line would remain. Not propagated, so DEBUG does not print it twice.
        # It carries the path and the traceback, never the request's body or cookies.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}

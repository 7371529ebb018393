"""Settings for Quartier Commun.

Everything comes from environment variables with a safe embedded default, so that a
fresh clone runs on SQLite, the in-memory channel layer, local media and console email.

- ``DJANGO_ENV``: ``development`` (default), ``test`` or ``production``.
- ``DATABASE_URL``: e.g. ``postgres://user@127.0.0.1:5432/quartier`` (default: SQLite file).
- ``REDIS_URL``: e.g. ``redis://127.0.0.1:6379/0``; switches the channel layer and cache.
- ``SECRET_KEY``, ``ALLOWED_HOSTS`` (comma separated): required in production.
- ``SITE_URL``: public base URL, used in emails and the admin (default http://127.0.0.1:8000).
- ``EMAIL_URL``-like settings: ``EMAIL_HOST``, ``EMAIL_PORT``, ``EMAIL_HOST_USER``,
  ``EMAIL_HOST_PASSWORD``, ``EMAIL_USE_TLS``, ``DEFAULT_FROM_EMAIL``.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DJANGO_ENV = env("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be development, test or production.")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DEBUG", DJANGO_ENV == "development")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG cannot be on in production.")

if PRODUCTION:
    SECRET_KEY = env("SECRET_KEY")
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY is required in production.")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS is required in production.")
else:
    # Only for development and tests: never used when DJANGO_ENV=production.
    SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key-quartier-commun-not-for-production")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Domain apps first so that their templates override third-party ones.
    "civic.accounts",
    "civic.territory",
    "civic.places",
    "civic.live",
    "civic.proposals",
    "civic.volunteering",
    "civic.assemblies",
    "civic.privacy",
    "cms",
    "cms.agenda",
    "cms.identity",
    "api",
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
    "allauth",
    "allauth.account",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "sorl.thumbnail",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # runserver leaves static files to WhiteNoise too: development serves them as
    # production does (uvicorn, in `make run`, has no static handler of its own).
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    # First, so that it compresses what every other middleware wrote. Compressed HTML with
    # a secret in it is what BREACH attacks; Django masks the CSRF token differently in
    # every response, so the token cannot be guessed that way. Whitenoise's own gzip files
    # are sent as they are (a response with Content-Encoding is left alone).
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.csp.ContentSecurityPolicyMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    "config.middleware.RefusedRequestDataMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "civic.accounts.middleware.PreferredLanguageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

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
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "cms.context_processors.site_navigation",
                "cms.identity.context_processors.identity",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Under ASGI, persistent connections leak per thread: use psycopg's pool instead.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": int(env("DATABASE_POOL_SIZE", "10")),
        "timeout": 10,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the demo serve readers while one writer works; IMMEDIATE
    # takes the write lock at BEGIN, so concurrent writers wait instead of failing with
    # "database is locked" when a read-then-write transaction upgrades its lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and channel layer --------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # Misses instead of errors while Redis is unreachable (see config/cache.py).
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_PREFIX", "qc"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            # Measured faster than RedisChannelLayer for group fan-out (see STACK-NOTES).
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": env("CHANNELS_PREFIX", "qc")},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "civic.live.layers.RoomSizedInMemoryChannelLayer",
            # A socket's queue holds this many messages; a broadcast that finds it full is
            # dropped silently. 100 (the default) lost results in a 1,000-member vote.
            "CONFIG": {"capacity": 1000},
        }
    }

# --- Background tasks -------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", "django_tasks_db.backend.DatabaseBackend")
        if DJANGO_ENV != "test"
        else "django_tasks.backends.immediate.ImmediateBackend",
    }
}

# Reminder emails go out this many hours before a volunteer's shift.
VOLUNTEER_REMINDER_HOURS = int(env("VOLUNTEER_REMINDER_HOURS", "24"))

# --- Personal data (RGPD): retention run daily by the task worker (civic.privacy) ---------
# Accounts unused this long are deleted (contributions anonymised), after one warning email
# this many days before; volunteer rosters and assembly attendance lists are anonymised
# this long after the shift or assembly. PRIVACY_CONTACT_EMAIL: used when no Régie has one.
PRIVACY_INACTIVE_ACCOUNT_DAYS = int(env("PRIVACY_INACTIVE_ACCOUNT_DAYS", "730"))
PRIVACY_INACTIVE_WARNING_DAYS = int(env("PRIVACY_INACTIVE_WARNING_DAYS", "30"))
PRIVACY_ROSTER_RETENTION_DAYS = int(env("PRIVACY_ROSTER_RETENTION_DAYS", "365"))
PRIVACY_RUN_HOUR = int(env("PRIVACY_RUN_HOUR", "3"))
PRIVACY_CONTACT_EMAIL = env("PRIVACY_CONTACT_EMAIL", "")
# A secret ballot publishes no figure per option when fewer voters than this took part, or
# when weighted and one college has fewer ballots (civic/assemblies/results.py, disclose).
SECRET_BALLOT_MIN_GROUP = int(env("SECRET_BALLOT_MIN_GROUP", "3"))

# --- Accounts -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
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
LOGIN_REDIRECT_URL = "accounts:profile"
LOGOUT_REDIRECT_URL = "/"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SIGNUP_FORM_CLASS = "civic.accounts.forms.SignupExtraForm"
# Two sign-ups with one address at once: the second is answered as "address in use".
ACCOUNT_FORMS = {"signup": "civic.accounts.signup.SignupForm"}
ACCOUNT_ADAPTER = "civic.accounts.adapter.AccountAdapter"
# Password reset for an unknown address: the same page, and no email at all.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Quartier Commun] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
# Limits per IP and per account: a cool-off, never a permanent lock. "login_failed": 10
# failed logins a minute from one IP, and 5 in a sliding 5 minutes for one email, whatever
# the IP (spreading guesses over many addresses gains nothing). The other side: whoever
# knows a resident's email can make them wait, the right password refused too, until 5
# minutes after the oldest of the last 5 failures; keeping it up means failing again every
# minute or so. A password reset by email lifts it at once (allauth clears that email's
# count), and the limit only ever delays: nothing locks an account.
# Named apart: linters read a string next to the word "password" as a hardcoded secret.
ACCOUNT_RESET_RATE = "20/m/ip,5/m/key"
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": ACCOUNT_RESET_RATE,
}
# Behind a reverse proxy, the client is the n-th address from the right of X-Forwarded-For
# (used by allauth's limits and the API throttle); 0: REMOTE_ADDR, nothing forwarded trusted.
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# --- Email ------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Quartier Commun <ne-pas-repondre@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if env("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env("EMAIL_HOST")
    EMAIL_PORT = int(env("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    # With the file backend (used by the browser tests), messages land in this folder.
    EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(BASE_DIR / "sent-emails"))

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "qc_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
WAGTAIL_CONTENT_LANGUAGES = [("fr", "Français")]
WAGTAILADMIN_PERMITTED_LANGUAGES = [("fr", "Français"), ("en", "English")]

# --- Static and media -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", BASE_DIR / "media"))
# Production: `collectstatic` writes every file under a name carrying its content hash,
# with a gzip copy beside it; WhiteNoise serves those hashed names as immutable, cached for
# years. Development and tests: the plain names, found in the source folders by WhiteNoise
# itself (no collectstatic step), re-read on each request in development (max-age=0).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
# Wagtail's page editor posts one field per StreamField value: hence 10 000 fields. No form
# takes more than one file (Wagtail's multiple image upload sends one per request).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
DATA_UPLOAD_MAX_NUMBER_FILES = 10
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Wagtail ------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Quartier Commun"
# ASCII page slugs: addresses that residents can read out and type.
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAILADMIN_BASE_URL = SITE_URL
# No avatars fetched from a third-party service: the admin shows initials.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Nor a call to Wagtail's servers from the dashboard: updates come with the project's.
WAGTAIL_ENABLE_UPDATE_CHECK = False
# The Régie's dashboard lists published ideas still without an answer after this many days.
DASHBOARD_UNANSWERED_IDEA_DAYS = int(env("DASHBOARD_UNANSWERED_IDEA_DAYS", "30"))
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "ods"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 8 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
# An unreadable image (a truncated JPEG) is a form error, not a 500.
WAGTAILIMAGES_IMAGE_FORM_BASE = "civic.image_forms.ImageForm"
WAGTAIL_MODERATION_ENABLED = True
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAILADMIN_LOGIN_URL = "account_login"

# --- API ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    # JSON bounded in size and depth: a hostile body is a JSON 400, never a RecursionError.
    "DEFAULT_PARSER_CLASSES": [
        "civic.json_input.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Writes only (POST/PUT/PATCH/DELETE), per user or per IP: reads stay free.
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.WriteRateThrottle"],
    # 0: REMOTE_ADDR (DRF's default, None, would trust any X-Forwarded-For sent).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Quartier Commun API",
    "DESCRIPTION": "API publique de Quartier Commun : quartiers, actualités, participation.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Only our own API: Wagtail's admin also exposes endpoints.
    "SCHEMA_PATH_PREFIX": r"/api/",
    "PREPROCESSING_HOOKS": ["api.schema.only_public_api"],
    # OpenAPI 3.1: a nullable nested object is ``oneOf: [$ref, {type: null}]``. In 3.0 it was
    # ``allOf: [$ref]`` with ``nullable`` and no ``type``, which 3.0.3 says does not allow
    # null: strict validators and generated clients rejected the nulls the API sends.
    "OAS_VERSION": "3.1.0",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.blank_is_any_of",
        "api.schema.nullable_as_type",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Security -----------------------------------------------------------------------------
# API writes allowed per user (or per IP when anonymous); e.g. "60/min", "1000/hour". The
# test suite writes far more than this as the same reused ids within a minute: the throttle
# tests set their own rate.
API_WRITE_THROTTLE_RATE = env(
    "API_WRITE_THROTTLE_RATE", "100000/min" if DJANGO_ENV == "test" else "60/min"
)

# --- Maps -------------------------------------------------------------------------------
# Tiles drawn under the maps (Leaflet, static/vendor/leaflet/). The default is OpenStreetMap's
# standard layer; its usage policy asks for the attribution below and a Referer (the tile
# layer sends the page's origin). "{s}" in the URL (subdomains) is allowed by the CSP as "*".
MAP_TILE_URL = env("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env(
    "MAP_TILE_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">'
    "les contributeurs d&#8217;OpenStreetMap</a>",
)
MAP_TILE_MAX_ZOOM = int(env("MAP_TILE_MAX_ZOOM", "19"))
# Where a map opens when it has nothing to show yet: "latitude,longitude,zoom".
MAP_CENTER = tuple(float(part) for part in env("MAP_CENTER", "43.6045,1.4440,13").split(","))
# The address search of the idea form (civic/geocoding.py), called by the server only.
GEOCODER_URL = env("GEOCODER_URL", "https://api-adresse.data.gouv.fr/search/")
GEOCODER_TIMEOUT = float(env("GEOCODER_TIMEOUT", "4"))
# Address searches allowed per person (or per IP address when anonymous) and minute.
GEOCODER_RATE_PER_MINUTE = int(env("GEOCODER_RATE_PER_MINUTE", "30"))


def _tile_origin(url):
    parts = urlsplit(url.replace("{s}", "*"))
    return f"{parts.scheme}://{parts.netloc}"


MAP_TILE_ORIGIN = _tile_origin(MAP_TILE_URL)

# Content-Security-Policy (django-csp; config/csp.py adds the page's own WebSocket origin).
# No inline script, style, event handler or style attribute anywhere but the admins:
# behaviour lives in static/js, looks in static/css; data for scripts goes in json_script
# blocks (type="application/json", never executed).
CSP_SELF = "'self'"
CONTENT_SECURITY_POLICY = {
    # Wagtail's admin and Django's admin render inline scripts, styles and style attributes
    # of their own; the API documentation pages (Swagger UI, ReDoc) too. They carry no
    # resident-written HTML. Our staff pages served under /admin/agir/ still get the policy:
    # CSP_STRICT_VIEW_NAMES below.
    "EXCLUDE_URL_PREFIXES": ["/admin/", "/django-admin/", "/api/docs/", "/api/redoc/"],
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF],
        # data: for small inline images (SVG icons in CSS); blob: for local previews.
        # ... and the map tiles' host (MAP_TILE_URL), nothing else.
        "img-src": [CSP_SELF, "data:", "blob:", MAP_TILE_ORIGIN],
        "connect-src": [CSP_SELF],
        # Videos and maps embedded in pages (cms.blocks.LinkEmbedBlock) come from these
        # providers; any other embed shows as its plain link.
        "frame-src": [CSP_SELF]
        + env_list(
            "CSP_FRAME_SRC",
            "https://www.youtube.com,https://www.youtube-nocookie.com,"
            "https://player.vimeo.com,https://www.dailymotion.com,https://www.openstreetmap.org",
        ),
        "frame-ancestors": ["'none'"],
        "form-action": [CSP_SELF],
        "base-uri": [CSP_SELF],
        "object-src": ["'none'"],
    },
}
CSP_STRICT_VIEW_NAMES = [
    "volunteering_staff:checkin",
    "volunteering_staff:roster_print",
    "volunteering_staff:certificate_user",
    "volunteering_staff:certificate_offline",
]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"  # Wagtail marks its own preview views SAMEORIGIN.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

# --- Logging ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
        "wagtail": {"level": env("WAGTAIL_LOG_LEVEL", "WARNING")},
    },
}

# --- Tests --------------------------------------------------------------------------------
if DJANGO_ENV == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

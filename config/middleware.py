"""Site-wide middleware."""

import logging
import sys

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from api.errors import error_body

logger = logging.getLogger(__name__)

try:  # Redis (cache, throttling) restarting: the same answer, rather than a 500.
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    REDIS_ERRORS = (RedisConnectionError, RedisTimeoutError)
except ImportError:  # pragma: no cover
    REDIS_ERRORS = ()

# PostgreSQL down or unreachable, the connection pool exhausted, SQLite locked past its
# timeout, Redis unreachable: the request cannot be served now, but may be in a moment.
DATABASE_ERRORS = (OperationalError, InterfaceError, *REDIS_ERRORS)
RETRY_AFTER_SECONDS = 30


def unavailable_response(request):
    """The 503 answer, built without the database (no context processors, no session)."""
    if request.path.startswith("/api/"):
        response = JsonResponse(
            error_body(
                "unavailable",
                _("Le service est momentanément indisponible. Réessayez dans un instant."),
            ),
            status=503,
        )
    else:
        # No request context: the context processors (user, navigation) need the database.
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _note_database_error(sender, request=None, **kwargs):
    """Django turns an exception raised in an inner middleware (sessions, authentication)
    or a context processor into a 500 before it reaches us: remember that it was the
    database, so that ``__call__`` answers 503 instead."""
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_ERRORS):
        request._database_unavailable = True


got_request_exception.connect(_note_database_error, dispatch_uid="database_unavailable")


class DatabaseUnavailableMiddleware:
    """Answers a clear 503 page (JSON under /api/) with Retry-After when the database
    cannot be reached, wherever the error was raised: view, middleware or template."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        except DATABASE_ERRORS:  # only when exceptions propagate (DEBUG_PROPAGATE_EXCEPTIONS)
            logger.exception("Database unavailable")
            return unavailable_response(request)
        if getattr(request, "_database_unavailable", False) and response.status_code >= 500:
            return unavailable_response(request)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            logger.error("Database unavailable: %s", exception)
            request._database_unavailable = True
            return unavailable_response(request)
        return None


class RefusedRequestDataMiddleware:
    """Under /api/, a request whose data Django refuses to read (more files or fields than
    DATA_UPLOAD_MAX_NUMBER_FILES / _FIELDS, a body over DATA_UPLOAD_MAX_MEMORY_SIZE) is a
    JSON 400 in the API's error shape, not the HTML 400 page. Elsewhere Django already
    answers templates/400.html."""

    MESSAGES = {
        TooManyFilesSent: ("too_many_files", gettext_lazy("Trop de fichiers envoyés en une fois.")),
        TooManyFieldsSent: ("too_many_fields", gettext_lazy("Trop de champs envoyés en une fois.")),
        RequestDataTooBig: (
            "too_large",
            gettext_lazy("Les données envoyées sont trop volumineuses."),
        ),
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not request.path.startswith("/api/"):
            return None
        for kind, (code, message) in self.MESSAGES.items():
            if isinstance(exception, kind):
                logger.warning("Request data refused on %s: %s", request.path, exception)
                return JsonResponse(error_body(code, message), status=400)
        return None

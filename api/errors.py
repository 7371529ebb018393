"""Every API error is JSON of one shape: {"error": {"code", "message", "details"}}."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.fields import get_error_detail
from rest_framework.views import exception_handler as drf_exception_handler

from civic import errors as service_errors


# Per-field messages ({"field": ["message"]}), a list of messages, or null: a typed union,
# not ``oneOf: [{}, null]`` (a null matches both branches, which strict validators refuse).
@extend_schema_field(  # allow_null adds {"type": "null"}
    {"oneOf": [{"type": "object", "additionalProperties": {}}, {"type": "array", "items": {}}]}
)
class ErrorDetailsField(serializers.JSONField):
    pass


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, machine-readable error code.")
    message = serializers.CharField(help_text="Human-readable message, in the request language.")
    details = ErrorDetailsField(
        allow_null=True, help_text="Per-field messages for invalid input, otherwise null."
    )


class ErrorSerializer(serializers.Serializer):
    """The body of every API error response (documentation only)."""

    error = ErrorDetailSerializer()


def error_body(code, message, details=None):
    return {"error": {"code": str(code), "message": str(message), "details": details}}


def _message(detail):
    if isinstance(detail, list) and detail:
        return _message(detail[0])
    if isinstance(detail, dict) and detail:
        return _message(next(iter(detail.values())))
    return str(detail)


class Refused(exceptions.APIException):
    """A service's refusal that the person can fix: a 400 carrying the service's code."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("La demande ne peut pas être acceptée.")
    default_code = "invalid"


class Conflict(exceptions.APIException):
    """The request clashes with the current state (the last place was just taken)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("Ce n'est plus possible en ce moment.")
    default_code = "conflict"


SERVICE_ERROR_STATUS = {
    service_errors.INVALID: Refused,
    service_errors.CONFLICT: Conflict,
    service_errors.FORBIDDEN: exceptions.PermissionDenied,
}


def from_service_error(exc):
    """A ``civic.errors.ServiceError`` as the DRF exception of its kind, with its code."""
    return SERVICE_ERROR_STATUS[exc.kind](detail=exc.message_text, code=exc.error_code)


def exception_handler(exc, context):
    # A service's refusal carries its code and a message for the person; Django's own
    # exceptions may carry internal messages ("No NewsPage matches the given query."):
    # answer with DRF's translated ones and codes instead.
    if isinstance(exc, service_errors.ServiceError):
        exc = from_service_error(exc)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=get_error_detail(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        # Raised by the rules with a message for the person, or bare by Django.
        exc = exceptions.PermissionDenied(detail=str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body("invalid", _message(exc.detail), response.data)
    else:
        detail = getattr(exc, "detail", None)
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = error_body(code, _message(detail if detail is not None else exc))
    return response


def json_not_found():
    return JsonResponse(
        error_body("not_found", exceptions.NotFound.default_detail),
        status=status.HTTP_404_NOT_FOUND,
    )


@csrf_exempt  # It changes nothing: a POST to an unknown path gets the same JSON 404.
def not_found_view(request, *args, **kwargs):
    """Unknown paths under /api/ answer in JSON too, never with the HTML 404 page."""
    return json_not_found()

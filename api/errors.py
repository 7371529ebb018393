"""Every API error is JSON of one shape: {"error": {"code", "message", "details"}}."""

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _message(detail):
    if isinstance(detail, list) and detail:
        return _message(detail[0])
    if isinstance(detail, dict) and detail:
        return _message(next(iter(detail.values())))
    return str(detail)


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = {
            "code": "invalid",
            "message": _message(exc.detail),
            "details": response.data,
        }
    else:
        detail = getattr(exc, "detail", None)
        code = detail.code if hasattr(detail, "code") else "error"
        body = {"code": code, "message": _message(detail if detail is not None else exc)}
    response.data = {"error": body}
    return response


def not_found_response():
    return Response(
        {"error": {"code": "not_found", "message": "Not found."}}, status=status.HTTP_404_NOT_FOUND
    )

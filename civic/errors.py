"""One vocabulary for the refusals of every service.

A service refuses a request by raising a subclass of ``ServiceError``: a code that programs
read (``full``, ``closed``) and a plain-French message for the person. Each app says which
of its codes are a *conflict* (the state changed under the person: someone took the last
place) and which mean *not for you* (another quartier, a closed sign-up). Every door then
maps these kinds once: ``api.errors`` to an HTTP status and JSON body, ``add_service_error``
below to a form error, the live consumers to a socket reply.
"""

from collections.abc import Mapping

from django.core.exceptions import ValidationError

INVALID = "invalid"
CONFLICT = "conflict"
FORBIDDEN = "forbidden"


class ServiceError(ValidationError):
    """A request the rules refuse, for a reason the person can understand or fix."""

    # Codes of this app's refusals that are not a plain "invalid" (see the module's docstring).
    conflict_codes: frozenset[str] = frozenset()
    forbidden_codes: frozenset[str] = frozenset()

    @property
    def error_code(self) -> str:
        return getattr(self, "code", None) or INVALID

    @property
    def kind(self) -> str:
        if self.error_code in self.conflict_codes:
            return CONFLICT
        if self.error_code in self.forbidden_codes:
            return FORBIDDEN
        return INVALID

    @property
    def message_text(self) -> str:
        return " ".join(self.messages)


def add_service_error(form, error: ValidationError, field: str | Mapping | None = None) -> None:
    """Show a refusal (a ``ServiceError`` or a model ``ValidationError``) on ``form``.

    ``field`` names the field the refusal concerns, or maps error codes to fields
    (``{"bad_times": "ends_at"}``); otherwise the message is shown above the form.
    """
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            target = name if name in form.fields else None
            for message in errors:
                form.add_error(target, message)
        return
    if isinstance(field, Mapping):
        field = field.get(getattr(error, "code", None))
    for message in error.messages:
        form.add_error(field, message)

"""One error vocabulary: every service refusal maps once to an HTTP status and a form error."""

import pytest
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from civic.assemblies.services import AssemblyError
from civic.errors import CONFLICT, FORBIDDEN, INVALID, ServiceError, add_service_error
from civic.proposals.services import ProposalError
from civic.volunteering.services import VolunteeringError
from cms.agenda.services import AgendaError


def _answer(exc):
    """What an API view answers when its handler raises ``exc``."""

    class Raising(APIView):
        authentication_classes = []
        permission_classes = []

        def get(self, request):
            raise exc

    return Raising.as_view()(APIRequestFactory().get("/api/x/"))


@pytest.mark.parametrize(
    "error, kind, status",
    [
        (VolunteeringError("Complet.", code="full"), CONFLICT, 409),
        (VolunteeringError("Chevauche.", code="overlap"), CONFLICT, 409),
        (VolunteeringError("Fermé.", code="closed"), FORBIDDEN, 403),
        (VolunteeringError("Passé.", code="past"), INVALID, 400),
        (AssemblyError("Déjà voté.", code="voted"), CONFLICT, 409),
        (AssemblyError("Autre quartier.", code="other_neighbourhood"), FORBIDDEN, 403),
        (AssemblyError("Pas ouvert.", code="not_open"), INVALID, 400),
        (ProposalError("Vide.", code="empty"), INVALID, 400),
        (AgendaError("Complet.", code="full"), INVALID, 400),
        (ProposalError("Sans code."), INVALID, 400),
    ],
)
def test_each_refusal_has_one_kind_and_one_status(error, kind, status):
    assert isinstance(error, ServiceError)
    assert error.kind == kind
    response = _answer(error)
    assert response.status_code == status
    assert response.data == {
        "error": {
            "code": error.error_code,
            "message": error.message_text,
            "details": None,
        }
    }


def test_a_model_validation_error_is_a_400_with_its_fields_not_a_500():
    response = _answer(ValidationError({"capacity": ["Au moins une place."]}))
    assert response.status_code == 400
    assert response.data["error"]["code"] == "invalid"
    assert response.data["error"]["details"] == {"capacity": ["Au moins une place."]}


def test_a_rule_refusal_keeps_its_message_and_a_bare_one_gets_the_generic_message():
    assert _answer(PermissionDenied("Réservé aux habitants du quartier.")).data["error"] == {
        "code": "permission_denied",
        "message": "Réservé aux habitants du quartier.",
        "details": None,
    }
    bare = _answer(PermissionDenied()).data["error"]
    assert bare["code"] == "permission_denied" and bare["message"]


class ShiftForm(forms.Form):
    ends_at = forms.CharField(required=False)
    capacity = forms.IntegerField(required=False)


def test_a_refusal_goes_on_the_field_its_code_names_or_above_the_form():
    form = ShiftForm(data={})
    form.is_valid()
    add_service_error(
        form,
        VolunteeringError("La fin précède le début.", code="bad_times"),
        {"bad_times": "ends_at"},
    )
    add_service_error(form, VolunteeringError("Fermé.", code="closed"), {"bad_times": "ends_at"})
    add_service_error(form, AssemblyError("Choix inconnu.", code="bad_option"), "capacity")
    assert form.errors["ends_at"] == ["La fin précède le début."]
    assert form.non_field_errors() == ["Fermé."]
    assert form.errors["capacity"] == ["Choix inconnu."]


def test_a_model_validation_error_goes_on_its_fields():
    form = ShiftForm(data={})
    form.is_valid()
    add_service_error(form, ValidationError({"capacity": "Trop.", "unknown": "Ailleurs."}))
    assert form.errors["capacity"] == ["Trop."]
    assert form.non_field_errors() == ["Ailleurs."]

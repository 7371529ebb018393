"""Forms of the agenda pages. They check the shape of what is sent; who may do what stays
in ``rules`` and every write in ``services``."""

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OccurrenceField(forms.Field):
    """A date of the event, as the page sends it: its start in ISO 8601 with the offset."""

    widget = forms.HiddenInput
    MAX_LENGTH = 40

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        if len(value) > self.MAX_LENGTH:
            raise forms.ValidationError(_("Date inconnue."), code="bad_date")
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise forms.ValidationError(_("Date inconnue."), code="bad_date") from None
        if timezone.is_naive(parsed):
            raise forms.ValidationError(_("Date inconnue."), code="bad_date")
        return parsed


class RegistrationForm(forms.Form):
    """The "Je m'inscris" / "Rejoindre la liste d'attente" / "Me désinscrire" buttons.
    ``liste_attente`` says which one was clicked: a person who asked for a place is not put
    on the waitlist without knowing it."""

    occurrence = OccurrenceField()
    liste_attente = forms.BooleanField(required=False, widget=forms.HiddenInput)

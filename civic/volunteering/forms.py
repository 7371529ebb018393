"""Forms of the volunteering pages (/agir/). They check the shape of what is sent; who may
do what stays in ``rules`` and every write in ``services``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from civic.territory.models import Neighbourhood


class ActionFilterForm(forms.Form):
    """The GET form above the list of actions. An unknown neighbourhood is an error of its
    field: the view then shows every action and says the filter was ignored."""

    quartier = forms.ChoiceField(label=_("Quartier"), required=False)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        # Read once per page; the list query filters on the slug (no extra query).
        self.fields["quartier"].choices = [("", _("Tous les quartiers"))] + list(
            Neighbourhood.objects.active().order_by("name").values_list("slug", "name")
        )

    def neighbourhood_slug(self):
        """The chosen neighbourhood, or "" when none (or an unknown one) is asked for."""
        if not self.is_bound or not self.is_valid():
            return ""
        return self.cleaned_data.get("quartier") or ""


class SignupForm(forms.Form):
    """The one-click sign-up button. ``liste_attente`` says what the person clicked:
    "Je m'inscris" (0: a place, or an error if the shift became full meanwhile) or
    "Rejoindre la liste d'attente" (1). ``token`` is a one-time value against a double
    submission (browser back button, double tap)."""

    liste_attente = forms.BooleanField(required=False, widget=forms.HiddenInput)
    token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def join_waitlist(self):
        return bool(self.is_valid() and self.cleaned_data.get("liste_attente"))

    def one_time_token(self):
        return (self.cleaned_data.get("token") or "") if self.is_valid() else ""

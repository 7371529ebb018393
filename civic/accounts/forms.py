from django import forms
from django.utils.translation import gettext_lazy as _

from civic.accounts import services
from civic.accounts.models import User
from civic.territory.models import Neighbourhood


class NeighbourhoodChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=Neighbourhood.objects.active(),
            label=_("Votre quartier"),
            empty_label=_("— Choisissez votre quartier —"),
            **kwargs,
        )


class SignupExtraForm(forms.Form):
    """Fields added to allauth's sign-up form (email and passwords come from allauth)."""

    display_name = forms.CharField(
        label=_("Nom affiché"),
        max_length=80,
        help_text=_("Le nom que les autres habitants verront, par exemple « Amina B. »."),
    )
    neighbourhood = NeighbourhoodChoiceField()

    field_order = ["email", "display_name", "neighbourhood", "password1", "password2"]

    def clean_display_name(self):
        return services.clean_display_name(self.cleaned_data["display_name"])

    def signup(self, request, user):
        services.complete_signup(
            user=user,
            display_name=self.cleaned_data["display_name"],
            neighbourhood=self.cleaned_data["neighbourhood"],
            language=getattr(request, "LANGUAGE_CODE", "fr"),
        )


class ProfileForm(forms.ModelForm):
    neighbourhood = NeighbourhoodChoiceField()

    class Meta:
        model = User
        fields = ["display_name", "neighbourhood", "phone", "preferred_language"]
        help_texts = {
            "phone": _("Utile pour que la Régie puisse vous joindre. Jamais affiché."),
        }

    def clean_display_name(self):
        return services.clean_display_name(self.cleaned_data["display_name"])


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Votre mot de passe, pour confirmer"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Ce mot de passe n'est pas le bon."))
        return password

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


class LanguageSelect(forms.Select):
    """A language list whose options carry their own ``lang``, for screen readers."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value:
            option["attrs"]["lang"] = value
        return option


DISPLAY_NAME_WIDGET = forms.TextInput(attrs={"autocomplete": "nickname"})


class SignupExtraForm(forms.Form):
    """Fields added to allauth's sign-up form (email and passwords come from allauth)."""

    display_name = forms.CharField(
        label=_("Nom affiché"),
        max_length=80,
        help_text=_("Le nom que les autres habitants verront, par exemple « Amina B. »."),
        widget=DISPLAY_NAME_WIDGET,
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
        fields = [
            "display_name",
            "neighbourhood",
            "phone",
            "preferred_language",
            "email_notifications",
        ]
        widgets = {
            "display_name": DISPLAY_NAME_WIDGET,
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "preferred_language": LanguageSelect,
        }
        help_texts = {
            "phone": _("Utile pour que la Régie puisse vous joindre. Jamais affiché."),
            "preferred_language": _("La langue dans laquelle le site s'affiche pour vous."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        neighbourhood = self.fields["neighbourhood"]
        neighbourhood.queryset = services.neighbourhood_choices(self.instance)
        neighbourhood.required = services.neighbourhood_required(self.instance)
        self.fields["preferred_language"].choices = services.language_choices()

    def clean_display_name(self):
        return services.clean_display_name(self.cleaned_data["display_name"])


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Votre mot de passe, pour confirmer"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request, **kwargs):
        self.request = request
        self.user = request.user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        services.confirm_password(self.request, self.user, password)
        return password

"""Forms of the staff pages for volunteer actions (Wagtail admin, roster, check-in).

They only collect what staff typed: the rules (places, waitlist, overlaps, consent, who
may act) are checked by ``civic.volunteering.services``, whose ``VolunteeringError`` the
views show on the form (see ``civic.errors.add_service_error``).
"""

import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from civic import codes
from civic.accounts.models import phone_validator
from civic.proposals.models import Proposal
from civic.territory.models import Neighbourhood
from civic.uploads import normalise_photo
from civic.volunteering.models import OfflineVolunteer, Signup, earlier_check_in_uuid
from civic.volunteering.services import MAX_REPEATS

DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]


class LocalDateTimeField(forms.DateTimeField):
    """A date and time in the Régie's time zone, with the phone's own date-time picker."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATETIME_INPUT_FORMATS)
        super().__init__(**kwargs)


# --- Actions -----------------------------------------------------------------------------------


class ActionForm(WagtailAdminModelForm):
    """Base form of the action's create and edit pages (its fields come from the panels).

    The image is checked and re-encoded by ``civic.uploads.normalise_photo`` (JPEG, no
    metadata); an image needs its text alternative."""

    image = forms.FileField(
        label=_("Image"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG, PNG ou WebP, 8 Mo au plus. Les données de l'appareil sont retirées."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.uploaded_image = None  # the file as sent, for services.create_action
        if "proposal" in self.fields:
            # Public ideas, and the one already linked whatever its state.
            visible = Proposal.objects.public()
            if self.instance.proposal_id:
                visible = visible | Proposal.objects.filter(pk=self.instance.proposal_id)
            self.fields["proposal"].queryset = visible.order_by("-created_at", "-pk")
            self.fields["proposal"].required = False
        if "neighbourhood" in self.fields:
            queryset = Neighbourhood.objects.active()
            if self.instance.neighbourhood_id:
                queryset = queryset | Neighbourhood.objects.filter(
                    pk=self.instance.neighbourhood_id
                )
            self.fields["neighbourhood"].queryset = queryset.order_by("name")
        if "image_alt" in self.fields:
            self.fields["image_alt"].help_text = _(
                "Obligatoire avec une image : ce qu'elle montre, pour les personnes qui ne la "
                "voient pas."
            )

    def clean_image(self):
        value = self.cleaned_data.get("image")
        if isinstance(value, UploadedFile):
            normalised = normalise_photo(value, prefix="action")  # ValidationError → field
            value.seek(0)
            self.uploaded_image = value
            return normalised
        return value

    def clean(self):
        cleaned = super().clean()
        image = cleaned.get("image")
        has_image = bool(image) if image is not None else bool(self.instance.image)
        if image is False:  # "clear" ticked
            has_image = False
        alt = (cleaned.get("image_alt") or "").strip()
        if "image_alt" in self.fields:
            cleaned["image_alt"] = alt
            if has_image and not alt:
                self.add_error(
                    "image_alt", _("Décrivez l'image pour les personnes qui ne la voient pas.")
                )
        return cleaned

    def action_fields(self):
        """The model fields typed in the form, for ``services.create_action``."""
        names = [
            name
            for name in self.cleaned_data
            if name != "image" and name in {f.name for f in self._meta.model._meta.fields}
        ]
        return {name: self.cleaned_data[name] for name in names}


# --- Shifts ------------------------------------------------------------------------------------


class ShiftForm(forms.Form):
    starts_at = LocalDateTimeField(label=_("Début"))
    ends_at = LocalDateTimeField(label=_("Fin"))
    capacity = forms.IntegerField(label=_("Nombre de places"), min_value=1, max_value=1000)
    role = forms.CharField(
        label=_("Rôle (facultatif)"),
        max_length=80,
        required=False,
        help_text=_("Par exemple « encadrant » ou « accueil »."),
    )

    prefix = "creneau"


_DURATION_RE = re.compile(
    r"^\s*(?:(?P<h>\d{1,2})\s*(?:h|:)\s*(?P<m>\d{1,2})?\s*(?:min)?|(?P<only_m>\d{1,4})\s*min)\s*$",
    re.IGNORECASE,
)


class DurationField(forms.CharField):
    """A duration typed as staff say it: « 2h », « 1h30 », « 1:30 », « 90 min » or « 1,5 »."""

    default_error_messages = {
        "invalid": _("Indiquez une durée, par exemple 2h ou 1h30."),
        "too_long": _("Un créneau dure au plus 24 heures."),
        "too_short": _("Un créneau dure au moins 5 minutes."),
    }

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        match = _DURATION_RE.match(value)
        if match:
            if match.group("only_m"):
                minutes = int(match.group("only_m"))
            else:
                minutes = int(match.group("h")) * 60 + int(match.group("m") or 0)
        else:
            try:
                hours = Decimal(value.strip().replace(",", "."))
            except InvalidOperation:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
            if not hours.is_finite():
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            minutes = int(min(max(hours, Decimal(-1)), Decimal(25)) * 60)
        if minutes > 24 * 60:
            raise ValidationError(self.error_messages["too_long"], code="too_long")
        if minutes < 5:
            raise ValidationError(self.error_messages["too_short"], code="too_short")
        return timedelta(minutes=minutes)


class RepeatingShiftsForm(forms.Form):
    first_starts_at = LocalDateTimeField(label=_("Premier créneau : début"))
    duration = DurationField(
        label=_("Durée de chaque créneau"), help_text=_("Par exemple 2h, 1h30 ou 90 min.")
    )
    every_days = forms.IntegerField(
        label=_("Tous les … jours"),
        min_value=1,
        max_value=365,
        initial=7,
        help_text=_("7 : chaque semaine, à la même heure ; 14 : toutes les deux semaines."),
    )
    count = forms.IntegerField(
        label=_("Nombre de créneaux"),
        min_value=1,
        max_value=MAX_REPEATS,
        help_text=_("%(max)s au plus.") % {"max": MAX_REPEATS},
    )
    capacity = forms.IntegerField(label=_("Places par créneau"), min_value=1, max_value=1000)
    role = forms.CharField(label=_("Rôle (facultatif)"), max_length=80, required=False)

    prefix = "repetition"


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(label=_("Nombre de places"), min_value=1, max_value=1000)


# --- Assisted sign-up (guichet) ----------------------------------------------------------------


class PersonSearchForm(forms.Form):
    personne = forms.CharField(
        label=_("Chercher une personne"),
        max_length=100,
        required=False,
        help_text=_("Nom ou adresse électronique (au moins 2 caractères)."),
    )

    MIN_LENGTH = 2

    def query(self):
        if not self.is_valid():
            return ""
        text = self.cleaned_data["personne"].strip()
        return text if len(text) >= self.MIN_LENGTH else ""


class AccountSignupForm(forms.Form):
    """Sign up a person who has an account (chosen from the search results)."""

    user = forms.ModelChoiceField(queryset=get_user_model().objects.filter(is_active=True))


class KnownOfflineSignupForm(forms.Form):
    """Sign up a person already registered without an account."""

    offline_volunteer = forms.ModelChoiceField(queryset=OfflineVolunteer.objects.all())


class OfflineVolunteerForm(forms.Form):
    """A resident without an account, registered at the desk with their consent."""

    name = forms.CharField(label=_("Nom"), max_length=120)
    phone = forms.CharField(
        label=_("Téléphone (facultatif)"),
        max_length=20,
        required=False,
        validators=[phone_validator],
        help_text=_("Pour prévenir la personne en cas de changement."),
    )
    neighbourhood = forms.ModelChoiceField(
        label=_("Quartier"), queryset=Neighbourhood.objects.none(), required=False
    )
    consent = forms.BooleanField(
        label=_("La personne est d'accord pour que ses informations soient enregistrées"),
        required=True,
        error_messages={
            "required": _(
                "La personne doit être d'accord pour que ses informations soient enregistrées."
            )
        },
    )

    prefix = "sans_compte"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["neighbourhood"].queryset = Neighbourhood.objects.active().order_by("name")


# --- On the day --------------------------------------------------------------------------------


class AttendanceForm(forms.Form):
    signup = forms.ModelChoiceField(queryset=Signup.objects.none())
    present = forms.TypedChoiceField(
        choices=[("1", _("Présence")), ("0", _("Absence"))], coerce=lambda value: value == "1"
    )

    def __init__(self, *args, shift, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signup"].queryset = Signup.objects.filter(shift=shift)


class CheckInCodeForm(forms.Form):
    """The code of a sign-up: the presence code as read aloud (any case, spaces, dashes,
    look-alike letters), the QR code's link, or the UUID of earlier QR codes."""

    code = forms.CharField(
        label=_("Code de présence"),
        max_length=300,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        error_messages={"required": _("Saisissez ou scannez le code.")},
    )

    def clean_code(self):
        text = self.cleaned_data["code"]
        if codes.normalize(text) is None and earlier_check_in_uuid(text) is None:
            raise ValidationError(
                _("Ce code n'a pas la bonne forme : 6 lettres et chiffres, par exemple K7M-4QX.")
            )
        return text


# --- Reports -----------------------------------------------------------------------------------


class PeriodForm(forms.Form):
    """An optional period on the shifts' start date."""

    du = forms.DateField(
        label=_("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    au = forms.DateField(
        label=_("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("du"), cleaned.get("au")
        if start and end and end < start:
            self.add_error("au", _("La fin de la période précède son début."))
        return cleaned

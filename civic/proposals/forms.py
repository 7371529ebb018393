"""Forms of the proposal pages. They check the shape of what is sent; the rules and the
writes stay in ``rules`` and ``services``."""

from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civic import places
from civic.proposals import lifecycle
from civic.proposals.lifecycle import Status
from civic.proposals.models import Comment, Proposal, Theme
from civic.territory.models import Neighbourhood

MAX_QUERY_LENGTH = 200
PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"


class ProposalFilterForm(forms.Form):
    """The GET form above the list. Unknown values are errors of their field only: the
    view keeps the valid filters and says which ones were ignored."""

    SORT_NEWEST = "recentes"
    SORT_SUPPORTED = "soutiens"
    SORT_ANSWERED = "reponses"
    SORT_CHOICES = [
        (SORT_NEWEST, _("Les plus récentes")),
        (SORT_SUPPORTED, _("Les plus soutenues")),
        (SORT_ANSWERED, _("Réponses récentes de la Régie")),
    ]

    q = forms.CharField(
        label=_("Mots à chercher"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "maxlength": MAX_QUERY_LENGTH}),
    )
    # Chosen by slug (``?theme=proprete``). The choices are read once per page and the list
    # query filters on the slug: checking a value costs no query.
    quartier = forms.ChoiceField(label=_("Quartier"), required=False)
    theme = forms.ChoiceField(label=_("Thème"), required=False)
    etat = forms.ChoiceField(
        label=_("État"),
        required=False,
        choices=[("", _("Tous les états"))]
        + [(value, label) for value, label in Status.choices if value in lifecycle.PUBLIC_STATUSES],
    )
    tri = forms.ChoiceField(label=_("Trier par"), required=False, choices=SORT_CHOICES)

    def __init__(self, data=None, **kwargs):
        if data is not None:
            # A very long search is cut, not refused: nobody types 200 characters to search.
            data = data.copy()
            if "q" in data:
                data["q"] = data.get("q", "")[:MAX_QUERY_LENGTH]
        super().__init__(data, **kwargs)
        self.fields["quartier"].choices = [("", _("Tous les quartiers"))] + list(
            Neighbourhood.objects.active().order_by("name").values_list("slug", "name")
        )
        self.fields["theme"].choices = [("", _("Tous les thèmes"))] + list(
            Theme.objects.order_by("position", "name").values_list("slug", "name")
        )

    def valid_filters(self):
        """The values that passed validation (invalid fields are left out)."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {
            "q": (cleaned.get("q") or "").strip(),
            "quartier": cleaned.get("quartier") or "",
            "theme": cleaned.get("theme") or "",
            "etat": cleaned.get("etat") or "",
            "tri": cleaned.get("tri") or self.SORT_NEWEST,
        }


class CoordinateField(forms.DecimalField):
    """Accepts "43,6045" as well as "43.6045"; keeps 6 decimals (about 10 cm)."""

    def __init__(self, *, bound, widget=None, **kwargs):
        super().__init__(
            required=False,
            min_value=-bound,
            max_value=bound,
            localize=True,
            widget=widget or forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            **kwargs,
        )

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", ".").replace(" ", "").replace("\xa0", "")
        return super().to_python(value)

    def clean(self, value):
        value = super().clean(value)  # a finite number within the bounds, or None
        if value is not None:
            value = value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
        return value


class ProposalForm(forms.Form):
    """Submitting or editing an idea."""

    title = forms.CharField(
        label=_("Titre de votre idée"),
        max_length=Proposal._meta.get_field("title").max_length,
        help_text=_("En une phrase courte, par exemple « Des bancs près de l'aire de jeux »."),
    )
    description = forms.CharField(
        label=_("Votre idée en quelques lignes"),
        max_length=Proposal._meta.get_field("description").max_length,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Qu'est-ce qui ne va pas ? Que proposez-vous ? Qui en profitera ?"),
    )
    theme = forms.ModelChoiceField(
        label=_("Thème"), queryset=Theme.objects.none(), empty_label=_("— Choisissez —")
    )
    neighbourhood = forms.ModelChoiceField(
        label=_("Quartier"),
        queryset=Neighbourhood.objects.none(),
        empty_label=_("— Choisissez —"),
    )
    address = forms.CharField(
        label=_("Lieu (facultatif)"),
        required=False,
        max_length=Proposal._meta.get_field("address").max_length,
        help_text=_(
            "Une adresse ou un repère, par exemple « 12 rue des Lilas » ou « devant l'école "
            "Jean Moulin »."
        ),
    )
    # Filled by the map of the form (static/js/map.js): nobody is asked for coordinates.
    # Still checked here (range, both or neither) as anything sent by a browser.
    latitude = CoordinateField(bound=90, label=_("Latitude"), widget=forms.HiddenInput)
    longitude = CoordinateField(bound=180, label=_("Longitude"), widget=forms.HiddenInput)
    photo = forms.FileField(
        label=_("Photo (facultatif)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": PHOTO_ACCEPT}),
        help_text=_("JPEG, PNG ou WebP, 8 Mo au plus."),
    )
    photo_alt = forms.CharField(
        label=_("Ce que montre la photo"),
        required=False,
        max_length=Proposal._meta.get_field("photo_alt").max_length,
        help_text=_(
            "Obligatoire avec une photo, pour les personnes qui ne la voient pas. "
            "Par exemple « Trottoir encombré de sacs poubelle »."
        ),
    )
    remove_photo = forms.BooleanField(label=_("Retirer la photo actuelle"), required=False)

    def __init__(self, *args, proposal=None, user=None, **kwargs):
        self.proposal = proposal
        if proposal is None and user is not None and "initial" not in kwargs:
            kwargs["initial"] = {"neighbourhood": user.neighbourhood_id}
        super().__init__(*args, **kwargs)
        themes, neighbourhoods = Q(is_active=True), Q(is_active=True)
        if proposal is not None:
            # An idea keeps its theme or quartier even if it is no longer offered.
            themes |= Q(pk=proposal.theme_id)
            neighbourhoods |= Q(pk=proposal.neighbourhood_id)
        self.fields["theme"].queryset = Theme.objects.filter(themes).order_by("position", "name")
        self.fields["neighbourhood"].queryset = Neighbourhood.objects.filter(
            neighbourhoods
        ).order_by("name")
        if proposal is None or not proposal.photo:
            del self.fields["remove_photo"]

    FIELDSETS = (
        (_("Votre idée"), ("title", "description", "theme", "neighbourhood")),
        (_("Le lieu (facultatif)"), ("address", "latitude", "longitude")),
        (_("Une photo (facultatif)"), ("photo", "photo_alt", "remove_photo")),
    )

    def fieldsets(self):
        """(legend, bound fields) groups, for the template."""
        return [
            (legend, [self[name] for name in names if name in self.fields])
            for legend, names in self.FIELDSETS
        ]

    def clean(self):
        cleaned = super().clean()
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if not self.has_error("latitude") and not self.has_error("longitude"):
            for field, message in places.point_errors(latitude, longitude).items():
                self.add_error(field, message)
        if self.has_error("latitude") or self.has_error("longitude"):
            # The coordinates are hidden fields: say it beside the place a person sees.
            self.add_error(
                "address",
                _("Le point sur la carte n'est pas valable. Posez-le à nouveau, ou retirez-le."),
            )
        keeps_photo = (
            self.proposal is not None and self.proposal.photo and not cleaned.get("remove_photo")
        )
        if (cleaned.get("photo") or keeps_photo) and not (cleaned.get("photo_alt") or "").strip():
            self.add_error("photo_alt", _("Décrivez la photo en quelques mots."))
        return cleaned

    def service_kwargs(self):
        """The fields as ``services.submit_proposal`` / ``edit_proposal`` expect them."""
        data = self.cleaned_data
        return {
            "title": data["title"].strip(),
            "description": data["description"].strip(),
            "theme": data["theme"],
            "neighbourhood": data["neighbourhood"],
            "address": data.get("address", "").strip(),
            "latitude": data.get("latitude"),
            "longitude": data.get("longitude"),
            "photo_alt": (data.get("photo_alt") or "").strip(),
        }


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Votre commentaire"),
        max_length=Comment._meta.get_field("body").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ReplyForm(CommentForm):
    body = forms.CharField(
        label=_("Votre réponse"),
        max_length=Comment._meta.get_field("body").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class CommentEditForm(forms.Form):
    body = forms.CharField(
        label=_("Votre commentaire"),
        max_length=Comment._meta.get_field("body").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("Qu'est-ce qui pose problème ?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Par exemple : propos insultants, informations personnelles, publicité."),
    )


class StatusForm(forms.Form):
    """Staff: move the idea to one of the states the lifecycle allows from here."""

    to_status = forms.ChoiceField(label=_("Nouvel état"))
    answer = forms.CharField(
        label=_("Réponse publique"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Les habitants la liront. Obligatoire pour une décision."),
    )

    def __init__(self, *args, proposal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [
            (status.value, status.label) for status in lifecycle.staff_targets(proposal.status)
        ]


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Raison du masquage"),
        max_length=300,
        help_text=_("La personne qui a proposé l'idée la lira."),
    )


class RestoreForm(forms.Form):
    reason = forms.CharField(label=_("Note (facultatif)"), max_length=300, required=False)


class CommentHideForm(forms.Form):
    reason = forms.CharField(label=_("Raison du masquage"), max_length=300)

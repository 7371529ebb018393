"""Forms of the staff admin for proposals.

They only collect what staff typed: every rule (which transition is legal, when a public
answer is required, what may be merged into what) is checked by ``services``, and its
``ProposalError`` is shown on the form by the view (see ``civic.errors.add_service_error``).
"""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from civic import places
from civic.proposals import lifecycle
from civic.proposals.lifecycle import Status
from civic.proposals.models import Proposal

ANSWER_HELP = _(
    "Publiée sur la page de l'idée et envoyée aux habitants qui la suivent. "
    "Obligatoire pour toute décision, sauf pour publier une idée."
)


class ProposalAdminForm(WagtailAdminModelForm):
    """The idea's edit page in the admin: its theme, its quartier and its pin on the map
    (``civic.places.panels.PointPanel``). The point follows the rules of every place: both
    coordinates or neither, each within its range (the database checks the same)."""

    BOUNDS = {"latitude": 90, "longitude": 180}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, bound in self.BOUNDS.items():
            if name in self.fields:
                self.fields[name].validators += [
                    MinValueValidator(-bound),
                    MaxValueValidator(bound),
                ]
                self.fields[name].help_text = _("Facultatif. Posez le point sur la carte.")

    def clean(self):
        cleaned = super().clean()
        if set(self.BOUNDS) <= set(self.fields) and not (
            self.has_error("latitude") or self.has_error("longitude")
        ):
            errors = places.point_errors(cleaned.get("latitude"), cleaned.get("longitude"))
            for field, message in errors.items():
                self.add_error(field, message)
        return cleaned


class _AnyStatusChoiceField(forms.ChoiceField):
    """Offers only the legal next states, but accepts any known state so that an illegal
    one reaches ``services.change_status``, which explains why it is refused."""

    def valid_value(self, value):
        return value in Status.values


class DecisionForm(forms.Form):
    to_status = _AnyStatusChoiceField(label=_("Nouvel état"))
    answer = forms.CharField(
        label=_("Réponse publique"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=ANSWER_HELP,
    )

    def __init__(self, *args, proposal, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposal = proposal
        targets = lifecycle.staff_targets(proposal.status)
        self.fields["to_status"].choices = [(s.value, s.label) for s in targets]
        if proposal.status == Status.SUBMITTED:
            self.fields["answer"].help_text = _(
                "Facultatif pour publier. Pour un refus, écrivez la raison : la personne qui a "
                "proposé l'idée la lira."
            )

    @property
    def has_targets(self):
        return bool(self.fields["to_status"].choices)


class MergeTargetChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(title)s — %(neighbourhood)s, %(status)s, %(count)s soutien(s)") % {
            "title": obj.title,
            "neighbourhood": obj.neighbourhood.name,
            "status": obj.get_status_display(),
            "count": obj.support_count,
        }


class MergeForm(forms.Form):
    into = MergeTargetChoiceField(
        label=_("Fusionner dans l'idée"),
        queryset=Proposal.objects.none(),
        empty_label=_("Choisissez l'idée qui reste"),
        help_text=_(
            "Seules les idées publiées et visibles peuvent recevoir une fusion. "
            "Les soutiens et les abonnements passent sur cette idée ; une personne qui "
            "soutenait les deux n'est comptée qu'une fois."
        ),
    )
    answer = forms.CharField(
        label=_("Message public (facultatif)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Sans message, le site indique que l'idée rejoint l'idée choisie."),
    )

    def __init__(self, *args, duplicate, **kwargs):
        super().__init__(*args, **kwargs)
        self.duplicate = duplicate
        self.fields["into"].queryset = merge_targets_for(duplicate)


def merge_targets_for(duplicate):
    """Ideas that may receive ``duplicate``: public, visible, not itself; same
    neighbourhood first."""
    return (
        Proposal.objects.filter(status__in=lifecycle.MERGE_TARGET_STATUSES, is_hidden=False)
        .exclude(pk=duplicate.pk)
        .with_counts()
        .select_related("neighbourhood")
        .annotate(
            other_neighbourhood=Case(
                When(neighbourhood_id=duplicate.neighbourhood_id, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("other_neighbourhood", "title", "pk")
    )


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Raison du masquage"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Notée pour l'équipe ; la personne qui a proposé l'idée peut la lire."),
    )


class RestoreForm(forms.Form):
    reason = forms.CharField(
        label=_("Note (facultative)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SupportOpenForm(forms.Form):
    is_open = forms.TypedChoiceField(
        choices=[("1", _("Ouvrir les soutiens")), ("0", _("Clore les soutiens"))],
        coerce=lambda value: value == "1",
    )


class ReportActionForm(forms.Form):
    HIDE, RESTORE, DISMISS = "hide", "restore", "dismiss"

    action = forms.ChoiceField(
        choices=[
            (HIDE, _("Masquer")),
            (RESTORE, _("Rétablir")),
            (DISMISS, _("Classer sans suite")),
        ]
    )
    reason = forms.CharField(label=_("Raison"), required=False, max_length=300)

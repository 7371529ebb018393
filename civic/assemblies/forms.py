"""Forms of the assembly pages (/assemblees/). They check the shape of what is sent; who may
do what stays in ``rules`` and every write in ``services``, whose ``AssemblyError`` the
views show on the form (``civic.errors.add_service_error``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from civic.assemblies.models import Majority, MotionKind
from civic.assemblies.services import MAX_CHOICES


class VoteForm(forms.Form):
    """One ballot: the option chosen, and for a proxy the id of the member represented."""

    option = forms.TypedChoiceField(label=_("Votre choix"), coerce=int, widget=forms.RadioSelect)
    # "for" is a Python keyword: the field is declared under its HTML name below.

    def __init__(self, *args, motion, prefix_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.motion = motion
        self.fields["option"].choices = [(o.pk, o.label) for o in motion.options.all()]
        self.fields["for"] = forms.IntegerField(
            required=False, widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1
        )
        if prefix_label:
            self.fields["option"].label = prefix_label

    def on_behalf_of(self):
        return self.cleaned_data.get("for")


class MotionForm(forms.Form):
    """The chair prepares a vote."""

    question = forms.CharField(
        label=_("Question posée"),
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    kind = forms.ChoiceField(
        label=_("Type de vote"), choices=MotionKind.choices, initial=MotionKind.FOR_AGAINST
    )
    choices = forms.CharField(
        label=_("Choix proposés (un par ligne)"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Seulement pour un vote à plusieurs choix. L'abstention est ajoutée d'office."),
    )
    secret = forms.BooleanField(label=_("Vote à bulletin secret"), required=False)
    majority = forms.ChoiceField(label=_("Majorité requise"), choices=Majority.choices)

    def __init__(self, *args, assembly=None, **kwargs):
        super().__init__(*args, **kwargs)
        if assembly is not None:
            self.fields["majority"].initial = assembly.majority

    def clean(self):
        cleaned = super().clean()
        lines = [line.strip() for line in (cleaned.get("choices") or "").splitlines()]
        cleaned["choice_list"] = [line for line in lines if line]
        if cleaned.get("kind") == MotionKind.CHOICES and not (
            2 <= len(cleaned["choice_list"]) <= MAX_CHOICES
        ):
            self.add_error(
                "choices",
                _("Proposez entre 2 et %(max)s choix, un par ligne.") % {"max": MAX_CHOICES},
            )
        return cleaned


class IdForm(forms.Form):
    """A button that names one object by its id (an item, a motion, a floor request, a
    participant): anything else than a positive number is an error, never a crash."""

    id = forms.IntegerField(min_value=1, max_value=2**31 - 1)


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Rechercher un nom ou une adresse e-mail"), required=False, max_length=100
    )


class DeskRegisterForm(forms.Form):
    """Staff register someone at the door: an account chosen from the name search, or typed
    by its e-mail address."""

    user = forms.IntegerField(
        required=False, widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1
    )
    email = forms.EmailField(label=_("Adresse e-mail du compte"), required=False)
    college = forms.ModelChoiceField(
        label=_("Collège"), queryset=None, required=False, empty_label=_("Collège par défaut")
    )

    def __init__(self, *args, assembly, **kwargs):
        super().__init__(*args, **kwargs)
        self.assembly = assembly
        if assembly.use_colleges:
            self.fields["college"].queryset = assembly.colleges.order_by("sort_order", "pk")
        else:
            del self.fields["college"]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("user") and not cleaned.get("email") and not self.errors:
            self.add_error("email", _("Indiquez l'adresse e-mail du compte, ou cherchez son nom."))
        return cleaned


class ProxyForm(forms.Form):
    """Record a procuration: an absent member (giver) is represented by a present one."""

    giver = forms.ModelChoiceField(label=_("Membre absent qui donne procuration"), queryset=None)
    holder = forms.ModelChoiceField(label=_("Membre sur place qui la porte"), queryset=None)

    def __init__(self, *args, assembly, **kwargs):
        super().__init__(*args, **kwargs)
        participants = assembly.participants.select_related("user").order_by(
            "user__display_name", "pk"
        )
        self.fields["giver"].queryset = participants.filter(
            checked_in_at__isnull=True, proxy_holder__isnull=True
        )
        self.fields["holder"].queryset = participants.filter(checked_in_at__isnull=False)
        for name in ("giver", "holder"):
            self.fields[name].label_from_instance = lambda p: p.name
